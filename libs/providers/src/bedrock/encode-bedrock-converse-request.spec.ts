import { describe, expect, it } from 'vitest';
import { ChatRequest, GatewayError } from '../ir';
import { encodeBedrockConverseRequest } from './encode-bedrock-converse-request';

type Json = any;

function request(overrides: Partial<ChatRequest>): ChatRequest {
  return { model: 'm', system: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], stream: false, ...overrides };
}

function encode(overrides: Partial<ChatRequest>, model = 'amazon.nova-pro-v1:0'): Json {
  return encodeBedrockConverseRequest(request(overrides), model);
}

function refusal(overrides: Partial<ChatRequest>): GatewayError {
  try {
    encode(overrides);
  } catch (error) {
    return error as GatewayError;
  }
  throw new Error('expected a refusal');
}

const TOOL = { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } };

describe('encodeBedrockConverseRequest', () => {
  it('puts the model in the path, URL-encoded as the AWS SDK does, and picks converse-stream when streaming', () => {
    expect(encode({}).path).toBe('/model/amazon.nova-pro-v1%3A0/converse');
    expect(encode({ stream: true }, 'arn:aws:bedrock:us-east-1:123:inference-profile/us.meta.llama3-3-70b-instruct-v1:0').path).toBe(
      '/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123%3Ainference-profile%2Fus.meta.llama3-3-70b-instruct-v1%3A0/converse-stream',
    );
    expect(encode({}).body).not.toHaveProperty('modelId');
  });

  it('maps system, inference settings and cache markers (cachePoint after the marked block)', () => {
    const { body } = encode({
      system: [{ text: 'Be brief.', cacheControl: { type: 'ephemeral' } }, { text: 'Use metric units.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Long context', cacheControl: { type: 'ephemeral', ttl: '1h' } }, { type: 'text', text: 'Question?' }] }],
      maxOutputTokens: 512,
      temperature: 0.2,
      topP: 0.9,
      stopSequences: ['END'],
      tools: [{ ...TOOL, cacheControl: { type: 'ephemeral' }, strict: true }],
      toolChoice: { type: 'tool', name: 'get_weather' },
    });
    expect(body).toEqual({
      system: [{ text: 'Be brief.' }, { cachePoint: { type: 'default' } }, { text: 'Use metric units.' }],
      messages: [{ role: 'user', content: [{ text: 'Long context' }, { cachePoint: { type: 'default', ttl: '1h' } }, { text: 'Question?' }] }],
      inferenceConfig: { maxTokens: 512, temperature: 0.2, topP: 0.9, stopSequences: ['END'] },
      toolConfig: {
        tools: [{ toolSpec: { name: 'get_weather', description: 'Weather', inputSchema: { json: TOOL.parameters }, strict: true } }, { cachePoint: { type: 'default' } }],
        toolChoice: { tool: { name: 'get_weather' } },
      },
    });
  });

  it('merges tool results and a following user message into one user turn, tool results first, and passes Bedrock reasoning back', () => {
    const { body } = encode({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'Call the tool.', signature: 'sig' },
            { type: 'reasoning', text: 'foreign', provider: 'openai', encryptedContent: 'x' },
            { type: 'reasoning', text: 'unsigned' },
            { type: 'tool-call', id: 'call.1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          ],
        },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call.1', content: [{ type: 'text', text: 'sunny' }], isError: true }] },
        { role: 'user', content: [{ type: 'text', text: 'And tomorrow?' }] },
      ],
      tools: [TOOL],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: [{ text: 'Weather?' }] },
      {
        role: 'assistant',
        content: [
          { reasoningContent: { reasoningText: { text: 'Call the tool.', signature: 'sig' } } },
          { toolUse: { toolUseId: 'call_1', name: 'get_weather', input: { city: 'Paris' } } },
        ],
      },
      { role: 'user', content: [{ toolResult: { toolUseId: 'call_1', content: [{ text: 'sunny' }], status: 'error' } }, { text: 'And tomorrow?' }] },
    ]);
  });

  it('sends inline images and documents as base64 bytes', () => {
    const { body } = encode({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'iVBORw0=' } },
            { type: 'image', source: { type: 'url', url: 'data:image/webp;base64,UklGR' } },
            { type: 'file', mediaType: 'application/pdf', filename: 'Q3 report (final).pdf', source: { type: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' } },
            { type: 'file', mediaType: 'text/csv', source: { type: 'base64', mediaType: 'text/csv', data: 'YSxi' } },
          ],
        },
      ],
    });
    expect(body.messages[0].content).toEqual([
      { image: { format: 'png', source: { bytes: 'iVBORw0=' } } },
      { image: { format: 'webp', source: { bytes: 'UklGR' } } },
      { document: { format: 'pdf', name: 'Q3 report (final)', source: { bytes: 'JVBERi0=' } } },
      { document: { format: 'csv', name: 'document-4', source: { bytes: 'YSxi' } } },
    ]);
  });

  it('refuses an image by URL with a 400 saying Bedrock needs inline data', () => {
    const error = refusal({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } }] }] });
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.kind).toBe('invalid_request');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/Bedrock needs inline image data/);
    expect(error.param).toBe('messages[0].content[0].source');
  });

  it('maps json_schema to outputConfig.textFormat and tool choices auto / required', () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };
    expect(encode({ responseFormat: { type: 'json_schema', name: 'answer', description: 'The answer', schema } }).body.outputConfig).toEqual({
      textFormat: { type: 'json_schema', structure: { jsonSchema: { schema: JSON.stringify(schema), name: 'answer', description: 'The answer' } } },
    });
    expect(encode({ tools: [TOOL], toolChoice: { type: 'auto' } }).body.toolConfig.toolChoice).toEqual({ auto: {} });
    expect(encode({ tools: [TOOL], toolChoice: { type: 'required' } }).body.toolConfig.toolChoice).toEqual({ any: {} });
  });

  it('tool_choice none leaves the tools out (the model cannot call what it does not know)', () => {
    expect(encode({ tools: [TOOL], toolChoice: { type: 'none' } }).body).not.toHaveProperty('toolConfig');
  });

  it('says reasoning off needs nothing', () => {
    expect(encode({ reasoning: { enabled: false } }).body).not.toHaveProperty('additionalModelRequestFields');
    expect(encode({ reasoning: { effort: 'none' } }).body).toEqual(encode({}).body);
  });

  it.each<[string, Partial<ChatRequest>, string]>([
    ['a mid-conversation system message', { messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }] }, { role: 'system', content: [{ text: 'b' }] }] }, 'messages[1]'],
    ['n > 1', { n: 2 }, 'n'],
    ['seed', { seed: 1 }, 'seed'],
    ['top_k', { topK: 5 }, 'topK'],
    ['presence penalty', { presencePenalty: 0.5 }, 'presencePenalty'],
    ['parallel_tool_calls false', { tools: [TOOL], parallelToolCalls: false }, 'parallelToolCalls'],
    ['a reasoning effort', { reasoning: { effort: 'high' } }, 'reasoning'],
    ['a thinking budget', { reasoning: { budgetTokens: 1024 } }, 'reasoning'],
    ['json_object', { responseFormat: { type: 'json_object' } }, 'responseFormat'],
    [
      'tool_choice none with tool calls in the history',
      {
        tools: [TOOL],
        toolChoice: { type: 'none' },
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'a' }] },
          { role: 'assistant', content: [{ type: 'tool-call', id: 'c', name: 'get_weather', arguments: '{}' }] },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c', content: [{ type: 'text', text: 'ok' }] }] },
        ],
      },
      'toolChoice',
    ],
  ])('refuses %s as unsupported (400)', (_name, overrides, param) => {
    const error = refusal(overrides);
    expect(error.kind).toBe('unsupported');
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
  });
});
