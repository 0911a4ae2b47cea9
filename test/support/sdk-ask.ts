import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { ChatResponse, Protocol, SseReader, StreamEvent, codecFor, formatSse } from '@aigw/providers';
import OpenAI from 'openai';
import { FixtureProvider, fixtureCase } from './fixtures';

/** The official SDK clients, aimed at the gateway. */
export interface SdkClients {
  openai: OpenAI;
  anthropic: Anthropic;
  genai: GoogleGenAI;
}

export function sdkClients(gatewayUrl: string, apiKey: string): SdkClients {
  return {
    openai: new OpenAI({ apiKey, baseURL: `${gatewayUrl}/v1`, maxRetries: 0 }),
    anthropic: new Anthropic({ apiKey, baseURL: gatewayUrl, maxRetries: 0 }),
    genai: new GoogleGenAI({ apiKey, httpOptions: { baseUrl: gatewayUrl } }),
  };
}

/** Text and usage as the client saw them; input counts cached tokens too (OpenAI's convention). */
export interface SdkAnswer {
  text: string;
  usage: { input: number; output: number } | undefined;
}

export const QUESTION = 'What is the capital of France?';

/**
 * Asks `model` one question through the client protocol's official SDK,
 * streamed or not, with extra headers (an X-Request-Id to find the usage
 * record by), and reads the text and the usage the SDK reports.
 */
export async function askWithSdk(clients: SdkClients, client: Protocol, model: string, stream: boolean, headers: Record<string, string> = {}): Promise<SdkAnswer> {
  let text = '';
  let usage: SdkAnswer['usage'];
  if (client === 'openai-chat') {
    if (stream) {
      const chunks = await clients.openai.chat.completions.create({ model, messages: [{ role: 'user', content: QUESTION }], stream: true, stream_options: { include_usage: true } }, { headers });
      for await (const chunk of chunks) {
        text += chunk.choices[0]?.delta?.content ?? '';
        if (chunk.usage) usage = { input: chunk.usage.prompt_tokens, output: chunk.usage.completion_tokens };
      }
    } else {
      const completion = await clients.openai.chat.completions.create({ model, messages: [{ role: 'user', content: QUESTION }] }, { headers });
      text = completion.choices[0].message.content ?? '';
      usage = { input: completion.usage!.prompt_tokens, output: completion.usage!.completion_tokens };
    }
  } else if (client === 'openai-responses') {
    if (stream) {
      const events = await clients.openai.responses.create({ model, input: QUESTION, stream: true }, { headers });
      for await (const event of events) {
        if (event.type === 'response.output_text.delta') text += event.delta;
        if (event.type === 'response.completed') usage = { input: event.response.usage!.input_tokens, output: event.response.usage!.output_tokens };
      }
    } else {
      const response = await clients.openai.responses.create({ model, input: QUESTION }, { headers });
      text = response.output_text;
      usage = { input: response.usage!.input_tokens, output: response.usage!.output_tokens };
    }
  } else if (client === 'anthropic') {
    const params = { model, max_tokens: 256, messages: [{ role: 'user' as const, content: QUESTION }] };
    const message = stream ? await clients.anthropic.messages.stream(params, { headers }).finalMessage() : await clients.anthropic.messages.create(params, { headers });
    text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    const cached = (message.usage.cache_read_input_tokens ?? 0) + (message.usage.cache_creation_input_tokens ?? 0);
    usage = { input: message.usage.input_tokens + cached, output: message.usage.output_tokens };
  } else {
    const config = { httpOptions: { headers } };
    const usageOf = (metadata: { promptTokenCount?: number; candidatesTokenCount?: number; thoughtsTokenCount?: number }) => ({
      input: metadata.promptTokenCount ?? 0,
      output: (metadata.candidatesTokenCount ?? 0) + (metadata.thoughtsTokenCount ?? 0),
    });
    if (stream) {
      const chunks = await clients.genai.models.generateContentStream({ model, contents: QUESTION, config });
      for await (const chunk of chunks) {
        text += chunk.text ?? '';
        if (chunk.usageMetadata) usage = usageOf(chunk.usageMetadata);
      }
    } else {
      const response = await clients.genai.models.generateContent({ model, contents: QUESTION, config });
      text = response.text ?? '';
      usage = usageOf(response.usageMetadata!);
    }
  }
  return { text, usage };
}

/**
 * What a capture says the client must see, in canonical form: the text and
 * the usage of response.json, or of response-streaming.json decoded event by
 * event. Chat stream captures carry no usage chunk (the fakes add the one of
 * response.json, as OpenAI does with include_usage); Vertex Claude stream
 * captures hold the final message, which the fake streams as events.
 */
export function expectedAnswer(caseName: string, provider: FixtureProvider, protocol: Protocol, stream: boolean): { text: string; usage: ChatResponse['usage'] } {
  const capture = fixtureCase(caseName, provider);
  const codec = codecFor(protocol);
  const fromResponse = (body: unknown) => {
    const response = codec.decodeResponse(body);
    return { text: textOf(response.content), usage: response.usage };
  };
  if (!stream) return fromResponse(capture.read('response.json'));
  const recorded = capture.read<Array<Record<string, unknown>>>('response-streaming.json') ?? [];
  if (recorded[0]?.type === 'message') return fromResponse(recorded[0]);
  const decoder = codec.createStreamDecoder();
  const reader = new SseReader();
  const events: StreamEvent[] = [];
  for (const event of recorded) {
    const name = protocol === 'anthropic' || protocol === 'openai-responses' ? String(event.type) : undefined;
    for (const message of reader.push(formatSse(event, name))) events.push(...decoder.decode(message));
  }
  if (protocol === 'openai-chat') for (const message of reader.push(formatSse('[DONE]'))) events.push(...decoder.decode(message));
  events.push(...decoder.end());
  const text = events.filter((event) => event.type === 'text-delta').map((event) => (event as { text: string }).text).join('');
  const finish = events.find((event) => event.type === 'finish') as { usage: ChatResponse['usage'] } | undefined;
  return { text, usage: protocol === 'openai-chat' ? fromResponse(capture.read('response.json')).usage : finish!.usage };
}

function textOf(content: ChatResponse['content']): string {
  return content.filter((part) => part.type === 'text').map((part) => (part as { text: string }).text).join('');
}
