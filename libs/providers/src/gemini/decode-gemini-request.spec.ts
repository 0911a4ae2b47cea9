import { describe, expect, it } from 'vitest';
import { GatewayError } from '../ir';
import { decodeGeminiRequest } from './decode-gemini-request';

const MODEL = { model: 'gemini-2.5-flash' };
const USER = { role: 'user', parts: [{ text: 'hi' }] };
const WEATHER = { name: 'get_weather', parameters: { type: 'OBJECT', properties: { location: { type: 'STRING' } } } };

function errorOf(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('decodeGeminiRequest: invalid and unsupported bodies', () => {
  it.each([
    ['not an object', [], 'invalid_request', undefined],
    ['no model anywhere', { contents: [USER] }, 'invalid_request', 'model'],
    ['no contents', { model: 'm' }, 'invalid_request', 'contents'],
    ['contents not an array', { model: 'm', contents: {} }, 'invalid_request', 'contents'],
    ['empty contents', { model: 'm', contents: [] }, 'invalid_request', 'contents'],
    ['unknown role', { model: 'm', contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] }, 'invalid_request', 'contents[0].role'],
    ['parts not an array', { model: 'm', contents: [{ role: 'user', parts: 'x' }] }, 'invalid_request', 'contents[0].parts'],
    ['empty user parts', { model: 'm', contents: [{ role: 'user', parts: [] }] }, 'invalid_request', 'contents[0].parts'],
    ['text not a string', { model: 'm', contents: [{ role: 'user', parts: [{ text: 5 }] }] }, 'invalid_request', 'contents[0].parts[0].text'],
    ['empty part', { model: 'm', contents: [{ role: 'user', parts: [{}] }] }, 'invalid_request', 'contents[0].parts[0]'],
    ['functionCall in a user turn', { model: 'm', contents: [{ role: 'user', parts: [{ functionCall: { name: 'f' } }] }] }, 'invalid_request', 'contents[0].parts[0].functionCall'],
    [
      'functionResponse in a model turn',
      { model: 'm', contents: [USER, { role: 'model', parts: [{ functionResponse: { name: 'f', response: {} } }] }] },
      'invalid_request',
      'contents[1].parts[0].functionResponse',
    ],
    ['functionCall without name', { model: 'm', contents: [USER, { role: 'model', parts: [{ functionCall: { args: {} } }] }] }, 'invalid_request', 'contents[1].parts[0].functionCall.name'],
    ['functionCall args not an object', { model: 'm', contents: [USER, { role: 'model', parts: [{ functionCall: { name: 'f', args: [] } }] }] }, 'invalid_request', 'contents[1].parts[0].functionCall.args'],
    ['functionResponse without name', { model: 'm', contents: [{ role: 'user', parts: [{ functionResponse: { response: {} } }] }] }, 'invalid_request', 'contents[0].parts[0].functionResponse.name'],
    ['functionResponse response not an object', { model: 'm', contents: [{ role: 'user', parts: [{ functionResponse: { name: 'f', response: 'x' } }] }] }, 'invalid_request', 'contents[0].parts[0].functionResponse.response'],
    ['inlineData without mimeType', { model: 'm', contents: [{ role: 'user', parts: [{ inlineData: { data: 'AAAA' } }] }] }, 'invalid_request', 'contents[0].parts[0].inlineData.mimeType'],
    ['inlineData without data', { model: 'm', contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'image/png' } }] }] }, 'invalid_request', 'contents[0].parts[0].inlineData.data'],
    ['fileData without mimeType', { model: 'm', contents: [{ role: 'user', parts: [{ fileData: { fileUri: 'https://youtu.be/x' } }] }] }, 'unsupported', 'contents[0].parts[0].fileData.mimeType'],
    ['videoMetadata', { model: 'm', contents: [{ role: 'user', parts: [{ fileData: { fileUri: 'gs://a/b.mp4', mimeType: 'video/mp4' }, videoMetadata: { startOffset: '1s' } }] }] }, 'unsupported', 'contents[0].parts[0].videoMetadata'],
    ['generated image in a model turn', { model: 'm', contents: [USER, { role: 'model', parts: [{ inlineData: { mimeType: 'image/png', data: 'AA' } }] }] }, 'unsupported', 'contents[1].parts[0].inlineData'],
    ['executableCode in a model turn', { model: 'm', contents: [USER, { role: 'model', parts: [{ executableCode: { code: 'x' } }] }] }, 'unsupported', 'contents[1].parts[0].executableCode'],
    ['systemInstruction as a string', { model: 'm', contents: [USER], systemInstruction: 'be brief' }, 'invalid_request', 'systemInstruction'],
    ['non-text systemInstruction part', { model: 'm', contents: [USER], systemInstruction: { parts: [{ inlineData: { mimeType: 'image/png', data: 'AA' } }] } }, 'unsupported', 'systemInstruction.parts[0]'],
    ['cachedContent', { model: 'm', contents: [USER], cachedContent: 'cachedContents/abc' }, 'unsupported', 'cachedContent'],
    ['tools not an array', { model: 'm', contents: [USER], tools: {} }, 'invalid_request', 'tools'],
    ['googleSearch', { model: 'm', contents: [USER], tools: [{ googleSearch: {} }] }, 'unsupported', 'tools[0].googleSearch'],
    ['google_search (snake_case)', { model: 'm', contents: [USER], tools: [{ google_search: {} }] }, 'unsupported', 'tools[0].googleSearch'],
    ['codeExecution', { model: 'm', contents: [USER], tools: [{ codeExecution: {} }] }, 'unsupported', 'tools[0].codeExecution'],
    ['declaration without name', { model: 'm', contents: [USER], tools: [{ functionDeclarations: [{ description: 'x' }] }] }, 'invalid_request', 'tools[0].functionDeclarations[0].name'],
    [
      'parameters and parametersJsonSchema together',
      { model: 'm', contents: [USER], tools: [{ functionDeclarations: [{ ...WEATHER, parametersJsonSchema: { type: 'object' } }] }] },
      'invalid_request',
      'tools[0].functionDeclarations[0].parametersJsonSchema',
    ],
    ['declared response schema', { model: 'm', contents: [USER], tools: [{ functionDeclarations: [{ ...WEATHER, response: { type: 'STRING' } }] }] }, 'unsupported', 'tools[0].functionDeclarations[0].response'],
    [
      'ANY with several allowed names',
      { model: 'm', contents: [USER], tools: [{ functionDeclarations: [WEATHER] }], toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['a', 'b'] } } },
      'unsupported',
      'toolConfig.functionCallingConfig.allowedFunctionNames',
    ],
    [
      'AUTO with allowed names',
      { model: 'm', contents: [USER], toolConfig: { functionCallingConfig: { mode: 'AUTO', allowedFunctionNames: ['a'] } } },
      'invalid_request',
      'toolConfig.functionCallingConfig.allowedFunctionNames',
    ],
    ['unknown mode', { model: 'm', contents: [USER], toolConfig: { functionCallingConfig: { mode: 'SOMETIMES' } } }, 'invalid_request', 'toolConfig.functionCallingConfig.mode'],
    ['retrievalConfig', { model: 'm', contents: [USER], toolConfig: { retrievalConfig: { latLng: {} } } }, 'unsupported', 'toolConfig.retrievalConfig'],
    ['generationConfig not an object', { model: 'm', contents: [USER], generationConfig: 3 }, 'invalid_request', 'generationConfig'],
    ['temperature as a string', { model: 'm', contents: [USER], generationConfig: { temperature: 'hot' } }, 'invalid_request', 'generationConfig.temperature'],
    ['fractional maxOutputTokens', { model: 'm', contents: [USER], generationConfig: { maxOutputTokens: 1.5 } }, 'invalid_request', 'generationConfig.maxOutputTokens'],
    ['stopSequences not strings', { model: 'm', contents: [USER], generationConfig: { stopSequences: [1] } }, 'invalid_request', 'generationConfig.stopSequences'],
    ['candidateCount 2', { model: 'm', contents: [USER], generationConfig: { candidateCount: 2 } }, 'unsupported', 'generationConfig.candidateCount'],
    ['IMAGE modality', { model: 'm', contents: [USER], generationConfig: { responseModalities: ['TEXT', 'IMAGE'] } }, 'unsupported', 'generationConfig.responseModalities'],
    ['speechConfig', { model: 'm', contents: [USER], generationConfig: { speechConfig: {} } }, 'unsupported', 'generationConfig.speechConfig'],
    ['responseLogprobs', { model: 'm', contents: [USER], generationConfig: { responseLogprobs: true } }, 'unsupported', 'generationConfig.responseLogprobs'],
    ['an unknown generation key', { model: 'm', contents: [USER], generationConfig: { creativity: 11 } }, 'unsupported', 'generationConfig.creativity'],
    ['schema without JSON mime type', { model: 'm', contents: [USER], generationConfig: { responseJsonSchema: { type: 'object' } } }, 'invalid_request', 'generationConfig.responseMimeType'],
    [
      'both response schemas',
      { model: 'm', contents: [USER], generationConfig: { responseMimeType: 'application/json', responseSchema: { type: 'OBJECT' }, responseJsonSchema: { type: 'object' } } },
      'invalid_request',
      'generationConfig.responseJsonSchema',
    ],
    ['enum mime type', { model: 'm', contents: [USER], generationConfig: { responseMimeType: 'text/x.enum' } }, 'unsupported', 'generationConfig.responseMimeType'],
    ['budget and level together', { model: 'm', contents: [USER], generationConfig: { thinkingConfig: { thinkingBudget: 5, thinkingLevel: 'LOW' } } }, 'invalid_request', 'generationConfig.thinkingConfig.thinkingLevel'],
    ['unknown thinking level', { model: 'm', contents: [USER], generationConfig: { thinkingConfig: { thinkingLevel: 'EXTREME' } } }, 'invalid_request', 'generationConfig.thinkingConfig.thinkingLevel'],
    ['negative budget', { model: 'm', contents: [USER], generationConfig: { thinkingConfig: { thinkingBudget: -5 } } }, 'invalid_request', 'generationConfig.thinkingConfig.thinkingBudget'],
  ])('%s → %s at %s', (_label, body, kind, param) => {
    const error = errorOf(() => decodeGeminiRequest(body));
    expect({ kind: error.kind, param: error.param, status: error.status }).toEqual({ kind, param, status: 400 });
  });
});

describe('decodeGeminiRequest: translation', () => {
  it('takes model and streaming from the URL, without the models/ prefix', () => {
    const chat = decodeGeminiRequest({ contents: [USER] }, { model: 'models/gemini-3-flash-preview', stream: true });
    expect(chat).toEqual({ model: 'gemini-3-flash-preview', system: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], stream: true });
  });

  it('reads proto snake_case field names', () => {
    const chat = decodeGeminiRequest(
      {
        system_instruction: { parts: [{ text: 'be brief' }] },
        contents: [{ role: 'user', parts: [{ inline_data: { mime_type: 'image/png', data: 'AAAA' } }, { file_data: { mime_type: 'application/pdf', file_uri: 'gs://b/doc.pdf' } }] }],
        tool_config: { function_calling_config: { mode: 'ANY', allowed_function_names: ['get_weather'] } },
        tools: [{ function_declarations: [{ name: 'get_weather', parameters_json_schema: { type: 'object' } }] }],
        generation_config: { max_output_tokens: 10, stop_sequences: ['x'], response_mime_type: 'application/json', thinking_config: { thinking_budget: 0 } },
      },
      MODEL,
    );
    expect(chat).toMatchObject({
      system: [{ text: 'be brief' }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'AAAA' } },
            { type: 'file', source: { type: 'url', url: 'gs://b/doc.pdf', mediaType: 'application/pdf' }, mediaType: 'application/pdf' },
          ],
        },
      ],
      tools: [{ name: 'get_weather', parameters: { type: 'object' } }],
      toolChoice: { type: 'tool', name: 'get_weather' },
      maxOutputTokens: 10,
      stopSequences: ['x'],
      responseFormat: { type: 'json_object' },
      reasoning: { enabled: false },
    });
  });

  it('gives calls without id stable positional ids and matches responses by name and order', () => {
    const body = {
      contents: [
        USER,
        {
          role: 'model',
          parts: [
            { functionCall: { name: 'get_weather', args: { location: 'Paris' } }, thoughtSignature: 'sig-1' },
            { functionCall: { name: 'get_weather', args: { location: 'Rome' } } },
            { functionCall: { name: 'get_time', args: {} } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'get_time', response: { output: '12:00' } } },
            { functionResponse: { name: 'get_weather', response: { output: 'sunny' } } },
            { functionResponse: { name: 'get_weather', response: { error: 'no data' } } },
            { text: 'and tomorrow?' },
          ],
        },
      ],
    };
    const chat = decodeGeminiRequest(body, MODEL);
    expect(chat.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'tool-call', id: 'gemini_call_c1_p0', name: 'get_weather', arguments: '{"location":"Paris"}', thoughtSignature: 'sig-1' },
          { type: 'tool-call', id: 'gemini_call_c1_p1', name: 'get_weather', arguments: '{"location":"Rome"}' },
          { type: 'tool-call', id: 'gemini_call_c1_p2', name: 'get_time', arguments: '{}' },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool-result', toolCallId: 'gemini_call_c1_p2', toolName: 'get_time', content: [{ type: 'text', text: '12:00' }] },
          { type: 'tool-result', toolCallId: 'gemini_call_c1_p0', toolName: 'get_weather', content: [{ type: 'text', text: 'sunny' }] },
          { type: 'tool-result', toolCallId: 'gemini_call_c1_p1', toolName: 'get_weather', content: [{ type: 'text', text: 'no data' }], isError: true },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'and tomorrow?' }] },
    ]);
    // Same history, same ids: the next turn of the conversation decodes identically.
    expect(decodeGeminiRequest(body, MODEL).messages).toEqual(chat.messages);
  });

  it('keeps Gemini-issued ids and matches responses that name them', () => {
    const chat = decodeGeminiRequest(
      {
        contents: [
          USER,
          { role: 'model', parts: [{ functionCall: { id: 'a1', name: 'f', args: {} } }, { functionCall: { id: 'b2', name: 'f', args: {} } }] },
          { role: 'user', parts: [{ functionResponse: { id: 'b2', name: 'f', response: { x: 1 } } }, { functionResponse: { name: 'f', response: { x: 2 } } }] },
        ],
      },
      MODEL,
    );
    expect(chat.messages[2]).toEqual({
      role: 'tool',
      content: [
        { type: 'tool-result', toolCallId: 'b2', toolName: 'f', content: [{ type: 'text', text: '{"x":1}' }] },
        { type: 'tool-result', toolCallId: 'a1', toolName: 'f', content: [{ type: 'text', text: '{"x":2}' }] },
      ],
    });
  });

  it('carries media returned by a function (multimodal function responses)', () => {
    const chat = decodeGeminiRequest(
      {
        contents: [
          USER,
          { role: 'model', parts: [{ functionCall: { name: 'screenshot', args: {} } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'screenshot', response: { output: 'done' }, parts: [{ inlineData: { mimeType: 'image/png', data: 'AAAA' } }] } }] },
        ],
      },
      MODEL,
    );
    expect(chat.messages[2].content[0]).toMatchObject({
      content: [
        { type: 'text', text: 'done' },
        { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'AAAA' } },
      ],
    });
  });

  it('turns thoughts into Gemini reasoning and keeps text-part signatures', () => {
    const chat = decodeGeminiRequest(
      {
        contents: [
          USER,
          {
            role: 'model',
            parts: [
              { text: 'thinking…', thought: true },
              { text: 'answer', thoughtSignature: 'sig' },
            ],
          },
          USER,
        ],
      },
      MODEL,
    );
    expect(chat.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'thinking…', provider: 'gemini' },
        { type: 'reasoning', text: '', provider: 'gemini', signature: 'sig' },
        { type: 'text', text: 'answer' },
      ],
    });
  });

  it('keeps an empty model turn (a maxOutputTokens=1 cut) as an empty assistant message', () => {
    const chat = decodeGeminiRequest({ contents: [USER, { role: 'model' }, USER] }, MODEL);
    expect(chat.messages[1]).toEqual({ role: 'assistant', content: [] });
  });

  it('decodes VALIDATED as auto with strict tools', () => {
    const chat = decodeGeminiRequest({ contents: [USER], tools: [{ functionDeclarations: [WEATHER] }], toolConfig: { functionCallingConfig: { mode: 'VALIDATED' } } }, MODEL);
    expect(chat.toolChoice).toEqual({ type: 'auto' });
    expect(chat.tools?.[0].strict).toBe(true);
  });

  it.each([
    [{ mode: 'AUTO' }, { type: 'auto' }],
    [{ mode: 'NONE' }, { type: 'none' }],
    [{ mode: 'ANY' }, { type: 'required' }],
    [{ mode: 'ANY', allowedFunctionNames: ['get_weather'] }, { type: 'tool', name: 'get_weather' }],
    [{}, undefined],
  ])('maps functionCallingConfig %j to %j', (config, choice) => {
    expect(decodeGeminiRequest({ contents: [USER], tools: [{ functionDeclarations: [WEATHER] }], toolConfig: { functionCallingConfig: config } }, MODEL).toolChoice).toEqual(choice);
  });

  it('converts a legacy parameters Schema to JSON Schema', () => {
    const chat = decodeGeminiRequest(
      {
        contents: [USER],
        tools: [
          {
            functionDeclarations: [
              {
                name: 'f',
                parameters: {
                  type: 'OBJECT',
                  properties: { b: { type: 'STRING', nullable: true, enum: ['x', 'y'] }, a: { type: 'ARRAY', items: { type: 'INTEGER' }, max_items: '3' } },
                  propertyOrdering: ['a', 'b'],
                  required: ['a'],
                },
              },
              { name: 'g' },
            ],
          },
        ],
      },
      MODEL,
    );
    expect(chat.tools).toEqual([
      {
        name: 'f',
        parameters: {
          type: 'object',
          properties: { a: { type: 'array', items: { type: 'integer' }, maxItems: 3 }, b: { type: ['string', 'null'], enum: ['x', 'y'] } },
          required: ['a'],
        },
      },
      { name: 'g', parameters: { type: 'object', properties: {} } },
    ]);
    expect(Object.keys((chat.tools![0].parameters as { properties: object }).properties)).toEqual(['a', 'b']);
  });

  it.each([
    [{ responseMimeType: 'application/json' }, { type: 'json_object' }],
    [{ responseMimeType: 'text/plain' }, { type: 'text' }],
    [{ responseMimeType: 'application/json', responseJsonSchema: { type: 'object' } }, { type: 'json_schema', schema: { type: 'object' } }],
    [{ responseMimeType: 'application/json', responseSchema: { type: 'OBJECT', properties: { n: { type: 'NUMBER' } } } }, { type: 'json_schema', schema: { type: 'object', properties: { n: { type: 'number' } } } }],
  ])('maps response format %j', (config, format) => {
    expect(decodeGeminiRequest({ contents: [USER], generationConfig: config }, MODEL).responseFormat).toEqual(format);
  });

  it.each([
    [{ thinkingBudget: 0 }, { enabled: false }],
    [{ thinkingBudget: -1 }, { enabled: true }],
    [{ thinkingBudget: 1024, includeThoughts: true }, { enabled: true, budgetTokens: 1024, includeThoughts: true }],
    [{ thinkingLevel: 'low' }, { enabled: true, effort: 'low' }],
    [{ thinkingLevel: 'HIGH', includeThoughts: true }, { enabled: true, effort: 'high', includeThoughts: true }],
    [{ includeThoughts: false }, { includeThoughts: false }],
  ])('maps thinkingConfig %j', (config, reasoning) => {
    expect(decodeGeminiRequest({ contents: [USER], generationConfig: { thinkingConfig: config } }, MODEL).reasoning).toEqual(reasoning);
  });

  it('copies sampling settings and ignores safetySettings and labels', () => {
    const chat = decodeGeminiRequest(
      {
        contents: [USER],
        safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
        labels: { team: 'a' },
        generationConfig: { temperature: 0.2, topP: 0.9, topK: 40, seed: 7, presencePenalty: 0.1, frequencyPenalty: 0.2, candidateCount: 1, responseModalities: ['TEXT'] },
      },
      MODEL,
    );
    expect(chat).toEqual({
      model: 'gemini-2.5-flash',
      system: [],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      stream: false,
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      seed: 7,
      presencePenalty: 0.1,
      frequencyPenalty: 0.2,
    });
  });
});
