import { Protocol } from '@aigw/providers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureProvider } from '../support/fixtures';
import { MODELS, RelayHarness, UpstreamFamily, startRelayHarness } from '../support/relay-harness';
import { expectedAnswer } from '../support/sdk-ask';

const CLIENTS: Protocol[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];
const FAMILIES: UpstreamFamily[] = ['openai', 'anthropic', 'gemini'];
const CAPTURE_PROVIDER: Record<Protocol, FixtureProvider> = {
  'openai-chat': 'chat-completions',
  'openai-responses': 'responses',
  anthropic: 'anthropic',
  gemini: 'google',
};

function upstreamProtocol(client: Protocol, family: UpstreamFamily): Protocol {
  if (family === 'openai') return client === 'openai-responses' ? 'openai-responses' : 'openai-chat';
  return family;
}

describe('official SDKs × upstream families × streaming: text answers', () => {
  let harness: RelayHarness;
  beforeAll(async () => {
    harness = await startRelayHarness();
  });
  afterAll(() => harness?.close());

  for (const client of CLIENTS) {
    for (const family of FAMILIES) {
      for (const stream of [false, true]) {
        const upstream = upstreamProtocol(client, family);
        it(`${client} client → ${upstream} upstream, ${stream ? 'streamed' : 'JSON'}`, async () => {
          harness.fake.respondWith({ kind: 'fixture', case: 'simpleRequest' }, { protocol: upstream });
          const expected = expectedAnswer('simpleRequest', CAPTURE_PROVIDER[upstream], upstream, stream);
          expect(expected.text.length).toBeGreaterThan(0);
          const model = MODELS[family];
          const prompt = 'What is the capital of France?';
          let text = '';
          let usage: { input: number; output: number } | undefined;

          if (client === 'openai-chat') {
            if (stream) {
              const chunks = await harness.openai.chat.completions.create({ model, messages: [{ role: 'user', content: prompt }], stream: true, stream_options: { include_usage: true } });
              for await (const chunk of chunks) {
                text += chunk.choices[0]?.delta?.content ?? '';
                if (chunk.usage) usage = { input: chunk.usage.prompt_tokens, output: chunk.usage.completion_tokens };
              }
            } else {
              const completion = await harness.openai.chat.completions.create({ model, messages: [{ role: 'user', content: prompt }] });
              text = completion.choices[0].message.content ?? '';
              usage = { input: completion.usage!.prompt_tokens, output: completion.usage!.completion_tokens };
            }
          } else if (client === 'openai-responses') {
            if (stream) {
              const events = await harness.openai.responses.create({ model, input: prompt, stream: true });
              for await (const event of events) {
                if (event.type === 'response.output_text.delta') text += event.delta;
                if (event.type === 'response.completed') usage = { input: event.response.usage!.input_tokens, output: event.response.usage!.output_tokens };
              }
            } else {
              const response = await harness.openai.responses.create({ model, input: prompt });
              text = response.output_text;
              usage = { input: response.usage!.input_tokens, output: response.usage!.output_tokens };
            }
          } else if (client === 'anthropic') {
            const params = { model, max_tokens: 256, messages: [{ role: 'user' as const, content: prompt }] };
            const message = stream ? await harness.anthropic.messages.stream(params).finalMessage() : await harness.anthropic.messages.create(params);
            text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
            const cached = (message.usage.cache_read_input_tokens ?? 0) + (message.usage.cache_creation_input_tokens ?? 0);
            usage = { input: message.usage.input_tokens + cached, output: message.usage.output_tokens };
          } else {
            if (stream) {
              const chunks = await harness.genai.models.generateContentStream({ model, contents: prompt });
              for await (const chunk of chunks) {
                text += chunk.text ?? '';
                if (chunk.usageMetadata) usage = { input: chunk.usageMetadata.promptTokenCount ?? 0, output: (chunk.usageMetadata.candidatesTokenCount ?? 0) + (chunk.usageMetadata.thoughtsTokenCount ?? 0) };
              }
            } else {
              const response = await harness.genai.models.generateContent({ model, contents: prompt });
              text = response.text ?? '';
              usage = { input: response.usageMetadata!.promptTokenCount ?? 0, output: (response.usageMetadata!.candidatesTokenCount ?? 0) + (response.usageMetadata!.thoughtsTokenCount ?? 0) };
            }
          }

          expect(text).toBe(expected.text);
          expect(usage).toEqual({ input: expected.usage.inputTokens, output: expected.usage.outputTokens });
          const received = harness.fake.received.at(-1)!;
          expect(received.protocol).toBe(upstream);
          expect(received.schemaErrors).toEqual([]);
          expect(received.stream).toBe(stream);
        });
      }
    }
  }
});
