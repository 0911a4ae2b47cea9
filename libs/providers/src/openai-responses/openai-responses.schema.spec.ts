import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { SPECS_DIR, convertOpenApiSchema, validateRequestBody } from '../../../../test/fake-provider/request-schemas';
import { fixtureCases } from '../../../../test/support/fixtures';
import { ChatRequest, ChatResponse, EMPTY_USAGE, GATEWAY_ERROR_STATUS, GatewayError, GatewayErrorKind, StreamEvent } from '../ir';
import { SseReader } from '../sse/sse-reader';
import { openAiResponsesCodec as codec } from './openai-responses.codec';

/**
 * What the codec sends upstream and answers to clients, checked against
 * OpenAI's published OpenAPI description (../shared/specs/openai-openapi.yaml).
 */
let validators: Record<'Response' | 'ResponseStreamEvent' | 'ErrorResponse', ValidateFunction>;

beforeAll(() => {
  const document = parseYaml(readFileSync(resolve(SPECS_DIR, 'openai-openapi.yaml'), 'utf8')) as { components: { schemas: Record<string, unknown> } };
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, logger: false });
  addFormats(ajv);
  for (const format of ['unixtime', 'png', 'binary']) ajv.addFormat(format, true);
  const schemas = Object.fromEntries(Object.entries(document.components.schemas).map(([key, value]) => [key, convertOpenApiSchema(value)]));
  ajv.addSchema({ $id: 'https://openai.spec.test/', components: { schemas } });
  const compile = (name: string) => ajv.compile({ $ref: `https://openai.spec.test/#/components/schemas/${name}` });
  validators = { Response: compile('Response'), ResponseStreamEvent: compile('ResponseStreamEvent'), ErrorResponse: compile('ErrorResponse') };
}, 60_000);

function expectValid(name: keyof typeof validators, value: unknown): void {
  const validate = validators[name];
  const valid = validate(value);
  const label = (value as { type?: string }).type ?? name;
  expect({ label, errors: valid ? [] : validate.errors?.slice(0, 5).map((error) => `${error.instancePath} ${error.message}`) }).toEqual({ label, errors: [] });
}

const usage = { inputTokens: 20, outputTokens: 9, cachedInputTokens: 4, cacheWriteInputTokens: 0, reasoningTokens: 3 };

/** An IR conversation using every part type, from several families. */
const MIXED_REQUEST: ChatRequest = {
  model: 'any',
  system: [{ text: 'Be brief.' }, { text: 'Use metric units.', role: 'developer' }],
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Look:' },
        { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' }, detail: 'low' },
        { type: 'file', source: { type: 'url', url: 'https://example.com/a.pdf' }, mediaType: 'application/pdf', filename: 'a.pdf' },
      ],
    },
    {
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'thinking…', provider: 'anthropic', signature: 'sig' },
        { type: 'reasoning', text: '', provider: 'openai', itemId: 'rs_1', encryptedContent: 'gAAAA' },
        { type: 'text', text: 'Checking.', itemId: 'msg_1' } as ChatResponse['content'][number],
        { type: 'tool-call', id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}', itemId: 'fc_1' },
      ],
    },
    { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', content: [{ type: 'text', text: '21C' }], isError: true }] },
    { role: 'system', content: [{ text: 'Answer in French.' }] },
    { role: 'assistant', content: [{ type: 'text', text: 'Il fait 21 degrés.' }] },
    { role: 'user', content: [{ type: 'text', text: 'Merci' }] },
  ],
  tools: [{ name: 'weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
  toolChoice: { type: 'tool', name: 'weather' },
  responseFormat: { type: 'json_schema', schema: { type: 'object' } },
  reasoning: { effort: 'low', includeThoughts: true },
  store: false,
  stream: true,
};

describe('openai-responses against the published schema', () => {
  it('every accepted capture request encodes to a valid CreateResponse body', () => {
    let checked = 0;
    for (const entry of fixtureCases('responses')) {
      for (const file of ['request.json', 'followup-request.json'].filter((name) => entry.files.includes(name))) {
        // The upstream refuses max_output_tokens below 16 itself (see the capture's error.json); the gateway does not clamp.
        if (entry.name === 'simpleRequestTruncated') continue;
        let request: ChatRequest;
        try {
          request = codec.decodeRequest(entry.read(file));
        } catch {
          continue; // refused on purpose, see openai-responses.fixtures.spec.ts
        }
        expect({ label: `${entry.name}/${file}`, errors: validateRequestBody('openai:CreateResponse', codec.encodeRequest(request, 'gpt-5-nano').body) }).toEqual({
          label: `${entry.name}/${file}`,
          errors: [],
        });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('a mixed-family conversation encodes to a valid CreateResponse body', () => {
    expect(validateRequestBody('openai:CreateResponse', codec.encodeRequest(MIXED_REQUEST, 'gpt-5').body)).toEqual([]);
  });

  it.each([
    ['text and tool call', 'tool_calls'],
    ['cut by max tokens', 'length'],
    ['failed', 'error'],
  ] as const)('an answer (%s) encodes to a valid Response', (_label, finishReason) => {
    const response: ChatResponse = {
      id: 'msg_01abc',
      model: 'claude-x',
      created: 1_700_000_000,
      content: [
        { type: 'reasoning', text: 'Let me think.', provider: 'anthropic', signature: 'sig' },
        { type: 'reasoning', text: '', provider: 'anthropic', redactedData: 'opaque' },
        { type: 'text', text: 'Sure.' },
        { type: 'tool-call', id: 'toolu_1', name: 'weather', arguments: '{}', thoughtSignature: 'ts' },
      ],
      finishReason,
      usage,
    };
    expectValid('Response', codec.encodeResponse(response, { model: 'claude-x' }));
  });

  it('every event of an encoded stream is a valid ResponseStreamEvent, its terminal response a valid Response', () => {
    const events: StreamEvent[] = [
      { type: 'start', id: 'chatcmpl-1', model: 'm', created: 1_700_000_000 },
      { type: 'reasoning-delta', index: 0, text: 'Hmm', provider: 'gemini', signature: 'sig' },
      { type: 'part-end', index: 0 },
      { type: 'reasoning-delta', index: 1, provider: 'openai', itemId: 'rs_9', summary: true },
      { type: 'reasoning-delta', index: 1, text: 'Summary' },
      { type: 'part-end', index: 1 },
      { type: 'reasoning-delta', index: 2, provider: 'openai', itemId: 'rs_9', summary: false, text: 'raw' },
      { type: 'reasoning-delta', index: 2, encryptedContent: 'gAAAA' },
      { type: 'part-end', index: 2 },
      { type: 'text-delta', index: 3, text: 'Hello' },
      { type: 'part-end', index: 3 },
      { type: 'text-delta', index: 4, text: ' again' },
      { type: 'part-end', index: 4 },
      { type: 'tool-call-start', index: 5, id: 'call_1', name: 'f', thoughtSignature: 'ts' },
      { type: 'tool-call-delta', index: 5, argumentsDelta: '{"a":1}' },
      { type: 'part-end', index: 5 },
      { type: 'finish', finishReason: 'tool_calls', usage },
    ];
    const encoder = codec.createStreamEncoder({ model: 'm' });
    const reader = new SseReader();
    const messages = [...reader.push(events.map((event) => encoder.encode(event)).join('')), ...reader.end()];
    for (const message of messages) {
      const data = JSON.parse(message.data);
      expect(message.event).toBe(data.type);
      if (data.response) expectValid('Response', data.response);
      expectValid('ResponseStreamEvent', data);
    }
    expectValid('Response', JSON.parse(messages.at(-1)!.data).response);
  });

  it('an in-stream error is a valid error event', () => {
    const encoder = codec.createStreamEncoder({ model: 'm' });
    encoder.encode({ type: 'start', id: 'x', model: 'm', created: 1 });
    const text = encoder.encode({ type: 'error', error: new GatewayError('overloaded', 'busy') });
    const [message] = new SseReader().push(text);
    expect(message.event).toBe('error');
    expectValid('ResponseStreamEvent', JSON.parse(message.data));
  });

  it.each(Object.keys(GATEWAY_ERROR_STATUS) as GatewayErrorKind[])('the %s error body is a valid ErrorResponse', (kind) => {
    expectValid('ErrorResponse', codec.encodeError(new GatewayError(kind, 'message', { param: 'input[0]' })).body);
  });

  it('an empty answer is still a valid Response', () => {
    expectValid('Response', codec.encodeResponse({ id: 'resp_1', model: 'm', created: 1, content: [], finishReason: 'stop', usage: EMPTY_USAGE }, { model: 'm' }));
  });
});
