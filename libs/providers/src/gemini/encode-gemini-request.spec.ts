import { describe, expect, it } from 'vitest';
import { ChatMessage, ChatRequest, GatewayError } from '../ir';
import { SKIP_THOUGHT_SIGNATURE, encodeGeminiRequest } from './encode-gemini-request';

function chat(messages: ChatMessage[], extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'client-model', system: [], messages, stream: false, ...extra };
}

const HI: ChatMessage = { role: 'user', content: [{ type: 'text', text: 'hi' }] };

function body(request: ChatRequest, model = 'gemini-2.5-flash'): any {
  return encodeGeminiRequest(request, model).body;
}

function errorOf(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('encodeGeminiRequest', () => {
  it('puts the model and streaming in the path', () => {
    expect(encodeGeminiRequest(chat([HI]), 'gemini-2.5-flash').path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(encodeGeminiRequest(chat([HI], { stream: true }), 'models/gemini-3-pro-preview').path).toBe('/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse');
  });

  it('sends system and developer instructions as systemInstruction', () => {
    expect(body(chat([HI], { system: [{ text: 'a' }, { text: 'b', role: 'developer', cacheControl: { type: 'ephemeral' } }] })).systemInstruction).toEqual({ parts: [{ text: 'a' }, { text: 'b' }] });
  });

  it('refuses a system message in the middle of the conversation', () => {
    const error = errorOf(() => body(chat([HI, { role: 'system', content: [{ text: 'now be terse' }] }])));
    expect({ kind: error.kind, param: error.param }).toEqual({ kind: 'unsupported', param: 'messages[1]' });
  });

  it('encodes user media: base64 and data: URLs inline, other URLs as fileData with a MIME type', () => {
    const encoded = body(
      chat([
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'AAAA' }, detail: 'high' },
            { type: 'image', source: { type: 'url', url: 'data:image/webp;base64,BBBB' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png?size=2' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/render' } },
            { type: 'file', source: { type: 'url', url: 'gs://bucket/report' }, mediaType: 'application/pdf', filename: 'report.pdf' },
          ],
        },
      ]),
    );
    expect(encoded.contents[0].parts).toEqual([
      { inlineData: { mimeType: 'image/png', data: 'AAAA' } },
      { inlineData: { mimeType: 'image/webp', data: 'BBBB' } },
      { fileData: { mimeType: 'image/png', fileUri: 'https://example.com/cat.png?size=2' } },
      { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/render' } },
      { fileData: { mimeType: 'application/pdf', fileUri: 'gs://bucket/report' } },
    ]);
  });

  it('merges consecutive tool messages into one user turn of functionResponses, named from their calls', () => {
    const encoded = body(
      chat([
        HI,
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"location":"Paris"}' },
            { type: 'tool-call', id: 'gemini_call_c1_p1', name: 'get_time', arguments: '' },
          ],
        },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', content: [{ type: 'text', text: '{"temperature":21}' }] }] },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'gemini_call_c1_p1', toolName: 'get_time', content: [{ type: 'text', text: 'noon' }] }] },
        { role: 'user', content: [{ type: 'text', text: 'thanks' }] },
      ]),
    );
    expect(encoded.contents.slice(1)).toEqual([
      {
        role: 'model',
        parts: [{ text: 'Checking.' }, { functionCall: { name: 'get_weather', args: { location: 'Paris' }, id: 'call_1' } }, { functionCall: { name: 'get_time', args: {} } }],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { temperature: 21 }, id: 'call_1' } },
          { functionResponse: { name: 'get_time', response: { output: 'noon' } } },
        ],
      },
      { role: 'user', parts: [{ text: 'thanks' }] },
    ]);
  });

  it.each([
    ['plain text', 'sunny', false, { output: 'sunny' }],
    ['a number', '42', false, { output: '42' }],
    ['a JSON object', '{"a":1}', false, { a: 1 }],
    ['a JSON array', '[1,2]', false, { output: [1, 2] }],
    ['an object with an error key that is no error', '{"error":null,"data":1}', false, { output: { error: null, data: 1 } }],
    ['an error text', 'boom', true, { error: 'boom' }],
    ['an error object', '{"error":{"code":3}}', true, { error: { code: 3 } }],
    ['an error JSON without error key', '{"code":3}', true, { error: { code: 3 } }],
  ])('wraps %s as a function response', (_label, text, isError, response) => {
    const encoded = body(chat([{ role: 'tool', content: [{ type: 'tool-result', toolCallId: 'x', toolName: 'f', content: [{ type: 'text', text }], isError }] }]));
    expect(encoded.contents[0].parts[0].functionResponse.response).toEqual(response);
  });

  it('sends images from a tool result as function response parts, and refuses them by URL', () => {
    const encoded = body(
      chat([
        {
          role: 'tool',
          content: [{ type: 'tool-result', toolCallId: 'x', toolName: 'shot', content: [{ type: 'text', text: 'ok' }, { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'AAAA' } }] }],
        },
      ]),
    );
    expect(encoded.contents[0].parts[0].functionResponse.parts).toEqual([{ inlineData: { mimeType: 'image/png', data: 'AAAA' } }]);
    const error = errorOf(() =>
      body(chat([{ role: 'tool', content: [{ type: 'tool-result', toolCallId: 'x', toolName: 'shot', content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } }] }] }])),
    );
    expect({ kind: error.kind, param: error.param }).toEqual({ kind: 'unsupported', param: 'messages[0].content[0].content[0]' });
  });

  it('refuses a tool result that names no function and matches no call', () => {
    const error = errorOf(() => body(chat([{ role: 'tool', content: [{ type: 'tool-result', toolCallId: 'ghost', content: [{ type: 'text', text: 'x' }] }] }])));
    expect({ kind: error.kind, param: error.param }).toEqual({ kind: 'invalid_request', param: 'messages[0].content[0]' });
  });

  it('refuses tool call arguments that are not a JSON object', () => {
    const error = errorOf(() => body(chat([HI, { role: 'assistant', content: [{ type: 'tool-call', id: 'c', name: 'f', arguments: '{"a":' }] }])));
    expect({ kind: error.kind, param: error.param }).toEqual({ kind: 'invalid_request', param: 'messages[1].content[0].arguments' });
  });

  it('sends Gemini reasoning back with its signatures, other families only as thought text', () => {
    const encoded = body(
      chat([
        HI,
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'gemini thought', provider: 'gemini', signature: 'g-sig' },
            { type: 'reasoning', text: 'claude thought', provider: 'anthropic', signature: 'a-sig' },
            { type: 'reasoning', text: '', provider: 'anthropic', redactedData: 'opaque' },
            { type: 'reasoning', text: '', provider: 'openai', itemId: 'rs_1', encryptedContent: 'enc' },
            { type: 'reasoning', text: '', provider: 'gemini', signature: 'text-sig' },
            { type: 'text', text: 'answer' },
            { type: 'reasoning', text: '', provider: 'gemini', signature: 'tail-sig' },
          ],
        },
      ]),
    );
    expect(encoded.contents[1].parts).toEqual([
      { text: 'gemini thought', thought: true, thoughtSignature: 'g-sig' },
      { text: 'claude thought', thought: true },
      { text: 'answer', thoughtSignature: 'text-sig' },
      { text: '', thoughtSignature: 'tail-sig' },
    ]);
  });

  it('gives the first unsigned function call of a turn the validator sentinel on Gemini 3 only', () => {
    const request = chat([
      HI,
      {
        role: 'assistant',
        content: [
          { type: 'tool-call', id: 'call_1', name: 'f', arguments: '{}' },
          { type: 'tool-call', id: 'call_2', name: 'f', arguments: '{}' },
        ],
      },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', content: [{ type: 'text', text: 'a' }] }, { type: 'tool-result', toolCallId: 'call_2', content: [{ type: 'text', text: 'b' }] }] },
      { role: 'assistant', content: [{ type: 'tool-call', id: 'call_3', name: 'f', arguments: '{}', thoughtSignature: 'real' }] },
    ]);
    const gemini3 = body(request, 'gemini-3-flash-preview');
    expect(gemini3.contents[1].parts.map((part: any) => part.thoughtSignature)).toEqual([SKIP_THOUGHT_SIGNATURE, undefined]);
    expect(gemini3.contents[3].parts[0].thoughtSignature).toBe('real');
    const gemini25 = body(request, 'gemini-2.5-flash');
    expect(gemini25.contents[1].parts.map((part: any) => part.thoughtSignature)).toEqual([undefined, undefined]);
  });

  it('sends an empty assistant turn as a bare model content', () => {
    expect(body(chat([HI, { role: 'assistant', content: [] }, HI])).contents[1]).toEqual({ role: 'model' });
  });

  it('declares tools with parametersJsonSchema', () => {
    const encoded = body(
      chat([HI], {
        tools: [
          { name: 'f', description: 'does f', parameters: { type: 'object', properties: { n: { type: 'number', exclusiveMinimum: 0 } }, additionalProperties: false } },
          { name: 'g', parameters: {} },
        ],
      }),
    );
    expect(encoded.tools).toEqual([
      {
        functionDeclarations: [
          { name: 'f', description: 'does f', parametersJsonSchema: { type: 'object', properties: { n: { type: 'number', exclusiveMinimum: 0 } }, additionalProperties: false } },
          { name: 'g' },
        ],
      },
    ]);
  });

  it.each([
    [undefined, false, undefined],
    [undefined, true, { functionCallingConfig: { mode: 'VALIDATED' } }],
    [{ type: 'auto' }, false, { functionCallingConfig: { mode: 'AUTO' } }],
    [{ type: 'auto' }, true, { functionCallingConfig: { mode: 'VALIDATED' } }],
    [{ type: 'none' }, false, { functionCallingConfig: { mode: 'NONE' } }],
    [{ type: 'required' }, true, { functionCallingConfig: { mode: 'ANY' } }],
    [{ type: 'tool', name: 'f' }, false, { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['f'] } }],
  ] as const)('maps tool choice %j (strict %s) to %j', (toolChoice, strict, toolConfig) => {
    const request = chat([HI], { tools: [{ name: 'f', parameters: { type: 'object' }, strict }], ...(toolChoice ? { toolChoice } : {}) });
    expect(body(request).toolConfig).toEqual(toolConfig);
  });

  it.each([
    [{ effort: 'low' }, 'gemini-2.5-flash', { thinkingBudget: 1024 }],
    [{ effort: 'minimal' }, 'gemini-2.5-flash-lite', { thinkingBudget: 512 }],
    [{ effort: 'medium' }, 'gemini-flash-latest', { thinkingBudget: 8192 }],
    [{ effort: 'high' }, 'gemini-2.5-pro', { thinkingBudget: 24576 }],
    [{ effort: 'low' }, 'gemini-3-pro-preview', { thinkingLevel: 'LOW' }],
    [{ effort: 'xhigh' }, 'gemini-3-flash-preview', { thinkingLevel: 'HIGH' }],
    [{ effort: 'none' }, 'gemini-3-flash-preview', { thinkingBudget: 0 }],
    [{ enabled: false }, 'gemini-2.5-flash', { thinkingBudget: 0 }],
    [{ enabled: true, budgetTokens: 2048 }, 'gemini-3-flash-preview', { thinkingBudget: 2048 }],
    [{ enabled: true }, 'gemini-2.5-flash', { thinkingBudget: -1 }],
    [{ effort: 'medium', summary: 'auto' }, 'gemini-2.5-flash', { thinkingBudget: 8192, includeThoughts: true }],
    [{ enabled: true, budgetTokens: 4000, includeThoughts: false }, 'gemini-2.5-flash', { thinkingBudget: 4000, includeThoughts: false }],
  ] as const)('maps reasoning %j for %s to %j', (reasoning, model, thinkingConfig) => {
    expect(body(chat([HI], { reasoning }), model).generationConfig.thinkingConfig).toEqual(thinkingConfig);
  });

  it('maps sampling, stop, seed, penalties, max tokens and response formats', () => {
    expect(
      body(
        chat([HI], {
          temperature: 0.3,
          topP: 0.8,
          topK: 5,
          maxOutputTokens: 100,
          stopSequences: ['END'],
          seed: 1,
          presencePenalty: 0.5,
          frequencyPenalty: 0.25,
          responseFormat: { type: 'json_schema', name: 'person', description: 'A person', schema: { type: 'object', properties: { name: { type: 'string' } } }, strict: true },
          user: 'u-1',
          metadata: { a: 'b' },
          promptCacheKey: 'k',
          streamUsage: true,
          n: 1,
        }),
      ).generationConfig,
    ).toEqual({
      temperature: 0.3,
      topP: 0.8,
      topK: 5,
      maxOutputTokens: 100,
      stopSequences: ['END'],
      seed: 1,
      presencePenalty: 0.5,
      frequencyPenalty: 0.25,
      responseMimeType: 'application/json',
      responseJsonSchema: { type: 'object', properties: { name: { type: 'string' } }, description: 'A person' },
    });
    expect(body(chat([HI], { responseFormat: { type: 'json_object' } })).generationConfig).toEqual({ responseMimeType: 'application/json' });
    expect(body(chat([HI], { responseFormat: { type: 'text' } })).generationConfig).toBeUndefined();
  });

  it.each([
    ['n > 1', { n: 2 }, 'n'],
    ['parallel tool calls off', { parallelToolCalls: false, tools: [{ name: 'f', parameters: {} }] }, 'parallel_tool_calls'],
  ])('refuses %s', (_label, extra, param) => {
    const error = errorOf(() => body(chat([HI], extra as Partial<ChatRequest>)));
    expect({ kind: error.kind, param: error.param }).toEqual({ kind: 'unsupported', param });
  });
});
