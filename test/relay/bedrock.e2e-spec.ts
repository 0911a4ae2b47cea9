import { ChatResponse, Protocol, StreamEvent, bedrockConverseCodec } from '@aigw/providers';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BedrockOperation, FakeBedrock, startFakeBedrock } from '../fake-provider/bedrock';
import { fixtureCase } from '../support/fixtures';
import { QUESTION, SdkClients, askWithSdk, expectedAnswer } from '../support/sdk-ask';
import { ChannelHarness, startChannelHarness } from '../support/channel-harness';

/**
 * AWS Bedrock channels end to end: every client SDK against a Converse model
 * and an Anthropic model (InvokeModel) on a fake Bedrock that checks SigV4
 * signatures and answers from the real captures as event-stream frames,
 * streamed and not, tool calls included, with the usage recorded; a Bedrock
 * API key channel; upstream errors, mid-stream exceptions and cut streams
 * mapped to each client protocol's answer.
 */

const GATEWAY_KEY = 'sk-aigw-bedrock-tests-0123456789abcdefghij';
const REGION = 'eu-west-3';
const CLIENTS: Protocol[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];
const MODELS = {
  converse: { name: 'br-nova', upstream: 'amazon.nova-pro-v1:0', operation: 'converse' },
  claude: { name: 'br-claude', upstream: 'us.anthropic.claude-haiku-4-5-20251001-v1:0', operation: 'invoke' },
} as const;

type Json = any;
type Usage = ChatResponse['usage'];

/** What a Converse capture says the client must see: response.json, or the streamed events decoded. */
function expectedConverse(caseName: string, stream: boolean): { text: string; usage: Usage } {
  const capture = fixtureCase(caseName, 'bedrock');
  if (!stream) {
    const response = bedrockConverseCodec.decodeResponse(capture.read('response.json'));
    return { text: response.content.map((part) => (part.type === 'text' ? part.text : '')).join(''), usage: response.usage };
  }
  const decoder = bedrockConverseCodec.createStreamDecoder();
  const events: StreamEvent[] = capture
    .read<Json[]>('response-streaming.json')!
    .flatMap((event) => decoder.decode({ event: Object.keys(event)[0], data: JSON.stringify(Object.values(event)[0]) }));
  const finish = events.find((event) => event.type === 'finish') as { usage: Usage };
  return { text: events.map((event) => (event.type === 'text-delta' ? event.text : '')).join(''), usage: finish.usage };
}

function expected(model: (typeof MODELS)[keyof typeof MODELS], caseName: string, stream: boolean): { text: string; usage: Usage } {
  return model.operation === 'converse' ? expectedConverse(caseName, stream) : expectedAnswer(caseName, 'bedrock-anthropic', 'anthropic', stream);
}

const WEATHER = {
  name: 'get_weather',
  description: 'Get the current weather for a location',
  parameters: { type: 'object', properties: { location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' } }, required: ['location'] },
};
const WEATHER_QUESTION = "What's the weather like in San Francisco?";

/** Asks for a forced tool call through a client's SDK; the call's name and parsed arguments as the client saw them. */
async function askForTool(clients: SdkClients, client: Protocol, model: string, stream: boolean, headers: Record<string, string>): Promise<{ name: string; args: unknown }> {
  if (client === 'openai-chat') {
    const params = { model, messages: [{ role: 'user' as const, content: WEATHER_QUESTION }], tools: [{ type: 'function' as const, function: WEATHER }], tool_choice: 'required' as const };
    if (!stream) {
      const call = (await clients.openai.chat.completions.create(params, { headers })).choices[0].message.tool_calls![0] as Json;
      return { name: call.function.name, args: JSON.parse(call.function.arguments) };
    }
    let name = '';
    let args = '';
    for await (const chunk of await clients.openai.chat.completions.create({ ...params, stream: true }, { headers })) {
      for (const delta of chunk.choices[0]?.delta?.tool_calls ?? []) {
        name += delta.function?.name ?? '';
        args += delta.function?.arguments ?? '';
      }
    }
    return { name, args: JSON.parse(args) };
  }
  if (client === 'openai-responses') {
    const params = { model, input: WEATHER_QUESTION, tools: [{ type: 'function' as const, ...WEATHER, strict: false }], tool_choice: 'required' as const };
    let output: Json[] = [];
    if (stream) {
      for await (const event of await clients.openai.responses.create({ ...params, stream: true }, { headers })) {
        if (event.type === 'response.completed') output = event.response.output;
      }
    } else output = (await clients.openai.responses.create(params, { headers })).output;
    const call = output.find((item) => item.type === 'function_call');
    return { name: call.name, args: JSON.parse(call.arguments) };
  }
  if (client === 'anthropic') {
    const params = {
      model,
      max_tokens: 1024,
      messages: [{ role: 'user' as const, content: WEATHER_QUESTION }],
      tools: [{ name: WEATHER.name, description: WEATHER.description, input_schema: WEATHER.parameters as Json }],
      tool_choice: { type: 'any' as const },
    };
    const message = stream ? await clients.anthropic.messages.stream(params, { headers }).finalMessage() : await clients.anthropic.messages.create(params, { headers });
    const block = message.content.find((entry) => entry.type === 'tool_use') as Json;
    return { name: block.name, args: block.input };
  }
  const config = {
    httpOptions: { headers },
    tools: [{ functionDeclarations: [{ name: WEATHER.name, description: WEATHER.description, parametersJsonSchema: WEATHER.parameters }] }],
    toolConfig: { functionCallingConfig: { mode: 'ANY' as Json } },
  };
  if (!stream) {
    const call = (await clients.genai.models.generateContent({ model, contents: WEATHER_QUESTION, config })).functionCalls![0];
    return { name: call.name!, args: call.args };
  }
  const calls: Json[] = [];
  for await (const chunk of await clients.genai.models.generateContentStream({ model, contents: WEATHER_QUESTION, config })) calls.push(...(chunk.functionCalls ?? []));
  return { name: calls[0].name, args: calls[0].args };
}

describe('AWS Bedrock channels', () => {
  let fake: FakeBedrock;
  let h: ChannelHarness;

  beforeAll(async () => {
    fake = await startFakeBedrock({ region: REGION });
    const channel = (name: string, key: string) => ({ name, type: 'bedrock', base_url: fake.url, key, settings: { provider: { region: REGION } } });
    h = await startChannelHarness({
      config: {
        // Errors are provoked on purpose: never auto-disable these channels.
        routing: { auto_disable_after: 0 },
        bootstrap: {
          users: [{ username: 'bedrock-user', balance_usd: 1000 }],
          channels: [
            channel('bedrock-sigv4', JSON.stringify(fake.keyPair)),
            channel('bedrock-api-key', fake.apiKey),
            channel('bedrock-errors', JSON.stringify(fake.keyPair)),
            channel('bedrock-wrong-secret', JSON.stringify({ ...fake.keyPair, secret_access_key: 'not-the-secret' })),
          ],
          models: ['br-nova', 'br-claude', 'br-api-key', 'br-errors', 'br-errors-claude', 'br-wrong-secret'].map((name) => ({ name, price: { input: 1, output: 2 } })),
          routes: [
            { model: 'br-nova', channel: 'bedrock-sigv4', upstream_model: MODELS.converse.upstream },
            { model: 'br-claude', channel: 'bedrock-sigv4', upstream_model: MODELS.claude.upstream },
            { model: 'br-api-key', channel: 'bedrock-api-key', upstream_model: 'meta.llama3-3-70b-instruct-v1:0' },
            { model: 'br-errors', channel: 'bedrock-errors', upstream_model: 'mistral.mistral-large-2407-v1:0' },
            { model: 'br-errors-claude', channel: 'bedrock-errors', upstream_model: 'anthropic.claude-3-5-haiku-20241022-v1:0' },
            { model: 'br-wrong-secret', channel: 'bedrock-wrong-secret', upstream_model: MODELS.converse.upstream },
          ],
          tokens: [{ name: 'bedrock', key: GATEWAY_KEY, user: 'bedrock-user' }],
        },
      },
    }, GATEWAY_KEY);
  });
  beforeEach(() => fake.reset());
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });

  for (const model of Object.values(MODELS)) {
    for (const client of CLIENTS) {
      for (const stream of [false, true]) {
        const operation = `${model.operation}${stream ? (model.operation === 'converse' ? '-stream' : '-with-response-stream') : ''}` as BedrockOperation;

        it(`${client} client → ${model.upstream} (${operation}), ${stream ? 'streamed' : 'JSON'}: text, usage recorded`, async () => {
          const requestId = `bedrock-${randomUUID()}`;
          const want = expected(model, 'simpleRequest', stream);
          expect(want.text).toBe('The capital of France is Paris.');
          const answer = await askWithSdk(h.clients, client, model.name, stream, { 'x-request-id': requestId });
          expect(answer.text).toBe(want.text);
          expect(answer.usage).toEqual({ input: want.usage.inputTokens, output: want.usage.outputTokens });

          expect(fake.received).toHaveLength(1);
          const sent = fake.received[0];
          expect(sent).toMatchObject({ operation, modelId: model.upstream, auth: 'sigv4', problems: [] });
          const question = model.operation === 'converse' ? sent.body.messages[0].content[0].text : sent.body.messages[0].content;
          expect(typeof question === 'string' ? question : question[0].text).toBe(QUESTION);

          expect(await h.usageRow(model.name, requestId)).toMatchObject({
            channel_id: h.channelIds['bedrock-sigv4'],
            prompt_tokens: want.usage.inputTokens,
            completion_tokens: want.usage.outputTokens,
            stream,
            status: 200,
            estimated: false,
          });
        });

        it(`${client} client → ${model.upstream} (${operation}), ${stream ? 'streamed' : 'JSON'}: a forced tool call (toolCallRequest)`, async () => {
          fake.respondWith({ kind: 'fixture', case: 'toolCallRequest' });
          const requestId = `bedrock-tool-${randomUUID()}`;
          const call = await askForTool(h.clients, client, model.name, stream, { 'x-request-id': requestId });
          expect(call).toEqual({ name: 'get_weather', args: { location: 'San Francisco, CA' } });

          const sent = fake.received[0];
          expect(sent.problems).toEqual([]);
          if (model.operation === 'converse') {
            expect(sent.body.toolConfig).toEqual({
              tools: [{ toolSpec: { name: 'get_weather', description: WEATHER.description, inputSchema: { json: WEATHER.parameters } } }],
              toolChoice: { any: {} },
            });
          } else {
            expect(sent.body.tools).toMatchObject([{ name: 'get_weather', description: WEATHER.description, input_schema: WEATHER.parameters }]);
            expect(sent.body.tool_choice).toEqual({ type: 'any' });
          }
          const want = expected(model, 'toolCallRequest', stream);
          expect(await h.usageRow(model.name, requestId)).toMatchObject({ prompt_tokens: want.usage.inputTokens, completion_tokens: want.usage.outputTokens, status: 200 });
        });
      }
    }
  }

  it('an Anthropic client on a Claude model is a passthrough: the captured InvokeModel body goes out, the answer comes back unchanged', async () => {
    const captured = fixtureCase('toolCallRequest', 'bedrock-anthropic');
    const { anthropic_version: _version, ...messages } = captured.read('request.json');
    fake.respondWith({ kind: 'fixture', case: 'toolCallRequest' });
    const response = await h.post('/v1/messages', { model: 'br-claude', ...messages });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(captured.read('response.json'));
    expect(fake.received[0].rawBody).toBe(JSON.stringify(captured.read('request.json')));
  });

  it('a Bedrock API key channel sends the key as a bearer token', async () => {
    const answer = await askWithSdk(h.clients, 'openai-chat', 'br-api-key', false);
    expect(answer.text).toBe('The capital of France is Paris.');
    expect(fake.received[0]).toMatchObject({ auth: 'api-key', modelId: 'meta.llama3-3-70b-instruct-v1:0', operation: 'converse' });
    expect(fake.received[0].headers.authorization).toBe(`Bearer ${fake.apiKey}`);
  });

  it('a channel whose signature Bedrock refuses answers 502, never the credentials', async () => {
    const response = await h.post('/v1/chat/completions', { model: 'br-wrong-secret', messages: [{ role: 'user', content: QUESTION }] });
    const body = await response.json();
    expect(response.status).toBe(502);
    expect(fake.refused).toBe(1);
    expect(JSON.stringify(body)).not.toMatch(/not-the-secret|AKIA/);
  });

  describe('upstream errors in each client protocol', () => {
    const CASES: Array<{ type: string; status: number; chat: [number, string]; anthropic: [number, string] }> = [
      { type: 'ThrottlingException', status: 429, chat: [429, 'requests'], anthropic: [429, 'rate_limit_error'] },
      { type: 'ValidationException', status: 400, chat: [400, 'invalid_request_error'], anthropic: [400, 'invalid_request_error'] },
      { type: 'ResourceNotFoundException', status: 404, chat: [404, 'invalid_request_error'], anthropic: [404, 'not_found_error'] },
      { type: 'AccessDeniedException', status: 403, chat: [502, 'server_error'], anthropic: [502, 'api_error'] },
      { type: 'UnrecognizedClientException', status: 403, chat: [502, 'server_error'], anthropic: [502, 'api_error'] },
      { type: 'ServiceUnavailableException', status: 503, chat: [503, 'server_error'], anthropic: [529, 'overloaded_error'] },
      { type: 'ModelTimeoutException', status: 408, chat: [504, 'server_error'], anthropic: [504, 'timeout_error'] },
    ];
    for (const entry of CASES) {
      it(`${entry.type} (${entry.status}) → OpenAI ${entry.chat[0]} ${entry.chat[1]} on Converse, Anthropic ${entry.anthropic[0]} ${entry.anthropic[1]} on InvokeModel`, async () => {
        fake.respondWith({ kind: 'error', status: entry.status, type: entry.type, message: `${entry.type} for this test` }, 2);
        const chat = await h.post('/v1/chat/completions', { model: 'br-errors', messages: [{ role: 'user', content: QUESTION }] });
        const chatBody: Json = await chat.json();
        expect([chat.status, chatBody.error.type]).toEqual(entry.chat);
        const anthropic = await h.post('/v1/messages', { model: 'br-errors-claude', max_tokens: 64, messages: [{ role: 'user', content: QUESTION }] });
        const anthropicBody: Json = await anthropic.json();
        expect([anthropic.status, anthropicBody.error.type]).toEqual(entry.anthropic);
        if (entry.chat[0] < 500) {
          expect(chatBody.error.message).toBe(`${entry.type} for this test`);
          expect(anthropicBody.error.message).toBe(`${entry.type} for this test`);
        }
        expect(fake.received.map((request) => request.operation)).toEqual(['converse', 'invoke']);
      });
    }

    it("Bedrock's own refusal of an Anthropic field (bedrockAnthropicContextManagementParam) reaches an Anthropic client as its 400", async () => {
      const { anthropic_version: _version, ...request } = fixtureCase('bedrockAnthropicContextManagementParam', 'bedrock-anthropic').read('request.json');
      fake.respondWith({ kind: 'fixture', case: 'bedrockAnthropicContextManagementParam' });
      const response = await h.post('/v1/messages', { ...request, model: 'br-claude' });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'context_management: Extra inputs are not permitted' } });
      expect(fake.received[0].body.context_management).toEqual(request.context_management);
    });

    it('an image by URL is refused before Bedrock is called (media.fetch_image_urls is off by default): 400 saying to send it inline', async () => {
      const response = await h.post('/v1/chat/completions', {
        model: 'br-nova',
        messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }],
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as Json).error.message).toBe(
        "this model's provider needs images inline and this gateway does not fetch image URLs; send the image as base64 data",
      );
      expect(fake.received).toHaveLength(0);
    });
  });

  describe('broken streams', () => {
    it('a throttlingException frame mid-stream ends an OpenAI Chat stream with its error (Converse)', async () => {
      fake.respondWith({ kind: 'broken-stream', case: 'complexReasoningRequest', afterFrames: 5, exception: { type: 'ThrottlingException', message: 'Too many tokens, please wait before trying again.' } });
      const stream = await h.clients.openai.chat.completions.create({ model: 'br-nova', messages: [{ role: 'user', content: QUESTION }], stream: true });
      let text = '';
      const failure = await (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      })().catch((error: Error) => error);
      expect(text.length).toBeGreaterThan(0);
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toMatch(/Too many tokens/);
    });

    it('a modelStreamErrorException frame mid-stream reaches an Anthropic client as an error event (InvokeModel passthrough)', async () => {
      fake.respondWith({ kind: 'broken-stream', case: 'reasoningRequest', afterFrames: 4, exception: { type: 'ModelStreamErrorException', message: 'The model stream failed.' } });
      const response = await h.post('/v1/messages', { model: 'br-claude', max_tokens: 1024, stream: true, messages: [{ role: 'user', content: QUESTION }] });
      const text = await response.text();
      expect(text).toContain('event: content_block_delta');
      expect(text).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"The model stream failed\."\}/);
      expect(text).not.toContain('event: message_stop');
    });

    for (const model of Object.values(MODELS)) {
      it(`a ${model.operation} stream cut inside a frame ends with an error, not a complete answer`, async () => {
        fake.respondWith({ kind: 'broken-stream', case: 'simpleRequest', afterFrames: 2 });
        const response = await h.post('/v1/chat/completions', { model: model.name, messages: [{ role: 'user', content: QUESTION }], stream: true });
        const text = await response.text();
        expect(response.status).toBe(200);
        expect(text).toMatch(/"error":\{"message":"The Bedrock stream was cut in the middle of an event-stream frame"/);
        expect(text).not.toContain('"finish_reason":"stop"');
        expect(text).not.toContain('[DONE]');
      });
    }
  });
});
