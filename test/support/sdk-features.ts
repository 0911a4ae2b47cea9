import { Protocol, codecFor } from '@aigw/providers';
import type { ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import type { ResponseCreateParamsStreaming } from 'openai/resources/responses/responses';
import { answerFromCapture } from '../fake-provider/capture-answers';
import { addChatUsageChunk, frameEvent } from '../fake-provider/stream-frames';
import type { FakeResponse, SseEvent } from '../fake-provider';
import { fixtureCase } from './fixtures';
import { MODELS, RelayHarness, UpstreamFamily } from './relay-harness';
import { AnswerSummary, CAPTURE_PROVIDER, decodeSseText, summariseEvents, summariseResponse } from './replay-matrix';

/**
 * The feature columns of the protocol matrix driven by the official clients
 * (openai, @anthropic-ai/sdk, @google/genai): captured request bodies of a
 * case sent as SDK parameters, what came back read the way an application
 * reads it, and what reached the fake read off its wire body.
 */

export type Feature = 'tools' | 'images' | 'reasoning';

export const FEATURE_CASES: Record<Feature, string> = {
  tools: 'toolCallRequest',
  images: 'multimodalRequest',
  reasoning: 'reasoningRequest',
};

/** What an application reads back from an SDK call. */
export interface SdkAnswer {
  text: string;
  reasoning: string;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  /** Streams: argument fragments received per call, in call order. */
  argumentFragments: number[];
}

/** The captured request of a case for a client protocol, with the client-native reasoning switch for the reasoning column. */
export function featureRequest(feature: Feature, client: Protocol): Record<string, unknown> {
  const body = structuredClone(fixtureCase(FEATURE_CASES[feature], CAPTURE_PROVIDER[client]).read<Record<string, unknown>>('request.json')!);
  if (feature !== 'reasoning') return body;
  // reasoningRequest's captures barely ask for reasoning (Responses: effort high; the others nothing): ask the way each client does.
  switch (client) {
    case 'openai-chat':
      return { ...body, reasoning_effort: 'high' };
    case 'openai-responses':
      return { ...body, reasoning: { effort: 'high', summary: 'detailed' } };
    case 'anthropic':
      return { ...body, thinking: { type: 'enabled', budget_tokens: 4096 } };
    case 'gemini':
      return { ...body, generationConfig: { thinkingConfig: { includeThoughts: true, thinkingBudget: 4096 } } };
  }
}

/** The reasoning text the synthesized answers carry. */
export const SYNTHESIZED_REASONING = ['The train covers 120 miles in 2 hours, then 80 miles in 1 hour. ', 'Average speed is total distance over total time: 200 / 3 ≈ 66.67 mph.'];

/**
 * The upstream's answer for the reasoning column, as wire data. Only some
 * captures carry reasoning *text*: the Responses capture of
 * complexReasoningRequest (summaries) and the Gemini capture of
 * reasoningSummaryParam (thoughts) do. Every Anthropic capture was recorded
 * with thinking display omitted (empty thinking, signature only), and OpenAI
 * Chat never returns reasoning text: for those, the reasoningRequest capture
 * gets a thinking block (Anthropic) or `reasoning_content` (what DeepSeek and
 * vLLM servers behind an OpenAI-compatible channel send) added, framed
 * exactly like the rest of the capture.
 */
export function reasoningAnswer(upstream: Protocol, stream: boolean): FakeResponse {
  switch (upstream) {
    case 'openai-responses':
      return { kind: 'fixture', case: 'complexReasoningRequest' };
    case 'gemini':
      return { kind: 'fixture', case: 'reasoningSummaryParam' };
    case 'anthropic':
    case 'openai-chat':
      return stream ? { kind: 'sse', events: synthesizedReasoningEvents(upstream) } : { kind: 'json', body: synthesizedReasoningBody(upstream) };
  }
}

function synthesizedReasoningBody(upstream: 'anthropic' | 'openai-chat'): Record<string, any> {
  const body = structuredClone(fixtureCase('reasoningRequest', CAPTURE_PROVIDER[upstream]).read<Record<string, any>>('response.json')!);
  const text = SYNTHESIZED_REASONING.join('');
  if (upstream === 'anthropic') body.content.unshift({ type: 'thinking', thinking: text, signature: 'EqQBCkgIARABGAIiQL2Zsynthesized' });
  else body.choices[0].message.reasoning_content = text;
  return body;
}

function synthesizedReasoningEvents(upstream: 'anthropic' | 'openai-chat'): SseEvent[] {
  const captured = structuredClone(fixtureCase('reasoningRequest', CAPTURE_PROVIDER[upstream]).read<Array<Record<string, any>>>('response-streaming.json')!);
  if (upstream === 'anthropic') {
    const thinking = [
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      ...SYNTHESIZED_REASONING.map((text) => ({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: text } })),
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EqQBCkgIARABGAIiQL2Zsynthesized' } },
      { type: 'content_block_stop', index: 0 },
    ];
    const shifted = captured.map((event) => (typeof event.index === 'number' ? { ...event, index: event.index + 1 } : event));
    return [shifted[0], ...thinking, ...shifted.slice(1)].map((data) => ({ data }));
  }
  const [first, ...rest] = captured;
  const reasoning = SYNTHESIZED_REASONING.map((text) => ({ ...first, choices: [{ index: 0, delta: { reasoning_content: text }, finish_reason: null }] }));
  const usage = fixtureCase('reasoningRequest', 'chat-completions').read<{ usage: unknown }>('response.json')!.usage;
  // The gateway always asks OpenAI upstreams for stream usage (include_usage): the usage chunk, then [DONE].
  return [...addChatUsageChunk([first, ...reasoning, ...rest], usage).map((data) => ({ data })), { data: '[DONE]' }];
}

/** What the fake answered, read with the upstream's codec: the reference the client's answer must match. */
export function expectedFeatureAnswer(answer: FakeResponse, upstream: Protocol, stream: boolean, received: { body: any; query: Record<string, string> }): AnswerSummary {
  const codec = codecFor(upstream);
  if (answer.kind === 'fixture') {
    const wire = answerFromCapture(answer.case, false, { protocol: upstream, stream, body: received.body, query: received.query }, 'req_expected');
    if (wire.kind === 'json') return summariseResponse(codec.decodeResponse(wire.body));
    return summariseEvents(decodeSseText(upstream, wire.frames.join('')));
  }
  if (answer.kind === 'json') return summariseResponse(codec.decodeResponse(answer.body));
  if (answer.kind === 'sse') return summariseEvents(decodeSseText(upstream, answer.events.map((event) => frameEvent(upstream, event.data, event.event)).join('')));
  throw new Error(`no reference for a ${answer.kind} answer`);
}

/** Sends a captured body of the client protocol through its official SDK and reads the answer as an application does. */
export async function callWithSdk(harness: RelayHarness, client: Protocol, family: UpstreamFamily, stream: boolean, captured: Record<string, any>): Promise<SdkAnswer> {
  const model = MODELS[family];
  const answer: SdkAnswer = { text: '', reasoning: '', toolCalls: [], argumentFragments: [] };
  const { stream: _stream, stream_options: _options, ...params } = captured;
  switch (client) {
    case 'openai-chat': {
      if (!stream) {
        const completion = await harness.openai.chat.completions.create({ ...(params as any), model, stream: false });
        const message = completion.choices[0].message as typeof completion.choices[0]['message'] & { reasoning_content?: string };
        answer.text = message.content ?? '';
        answer.reasoning = message.reasoning_content ?? '';
        for (const call of message.tool_calls ?? []) if (call.type === 'function') answer.toolCalls.push({ id: call.id, name: call.function.name, arguments: call.function.arguments });
        return answer;
      }
      const chunks = await harness.openai.chat.completions.create({ ...params, model, stream: true, stream_options: { include_usage: true } } as ChatCompletionCreateParamsStreaming);
      for await (const chunk of chunks) {
        const delta = chunk.choices[0]?.delta as (typeof chunk.choices)[0]['delta'] & { reasoning_content?: string };
        if (!delta) continue;
        answer.text += delta.content ?? '';
        answer.reasoning += delta.reasoning_content ?? '';
        for (const call of delta.tool_calls ?? []) {
          if (!answer.toolCalls[call.index]) {
            answer.toolCalls[call.index] = { id: call.id ?? '', name: call.function?.name ?? '', arguments: '' };
            answer.argumentFragments[call.index] = 0;
          }
          if (call.function?.arguments) {
            answer.toolCalls[call.index].arguments += call.function.arguments;
            answer.argumentFragments[call.index]++;
          }
        }
      }
      return answer;
    }
    case 'openai-responses': {
      if (!stream) return readResponsesOutput((await harness.openai.responses.create({ ...(params as any), model, stream: false })).output, answer);
      const events = await harness.openai.responses.create({ ...params, model, stream: true } as ResponseCreateParamsStreaming);
      const calls = new Map<string, SdkAnswer['toolCalls'][number]>();
      let completed: any;
      for await (const event of events) {
        if (event.type === 'response.output_text.delta') answer.text += event.delta;
        else if (event.type === 'response.reasoning_summary_text.delta' || event.type === 'response.reasoning_text.delta') answer.reasoning += event.delta;
        else if (event.type === 'response.output_item.added' && event.item.type === 'function_call') {
          const call = { id: event.item.call_id, name: event.item.name, arguments: '' };
          calls.set(event.item.id!, call);
          answer.toolCalls.push(call);
          answer.argumentFragments.push(0);
        } else if (event.type === 'response.function_call_arguments.delta') {
          calls.get(event.item_id)!.arguments += event.delta;
          answer.argumentFragments[answer.toolCalls.indexOf(calls.get(event.item_id)!)]++;
        } else if (event.type === 'response.function_call_arguments.done') {
          if (calls.get(event.item_id)!.arguments !== event.arguments) throw new Error(`streamed arguments ${calls.get(event.item_id)!.arguments} differ from done ${event.arguments}`);
        } else if (event.type === 'response.completed' || event.type === 'response.incomplete') completed = event.response;
      }
      const final = readResponsesOutput(completed.output, { text: '', reasoning: '', toolCalls: [], argumentFragments: [] });
      if (JSON.stringify(final.toolCalls) !== JSON.stringify(answer.toolCalls)) throw new Error(`response.completed calls ${JSON.stringify(final.toolCalls)} differ from the streamed ${JSON.stringify(answer.toolCalls)}`);
      return answer;
    }
    case 'anthropic': {
      if (!stream) return readAnthropicContent((await harness.anthropic.messages.create({ ...(params as any), model, stream: false })).content, answer);
      const messageStream = harness.anthropic.messages.stream({ ...(params as any), model });
      const partial = new Map<number, string>();
      const fragments = new Map<number, number>();
      for await (const event of messageStream) {
        if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') {
          partial.set(event.index, (partial.get(event.index) ?? '') + event.delta.partial_json);
          fragments.set(event.index, (fragments.get(event.index) ?? 0) + 1);
        }
      }
      const message = await messageStream.finalMessage();
      readAnthropicContent(message.content, answer);
      message.content.forEach((block, index) => {
        if (block.type !== 'tool_use') return;
        // The SDK assembles input_json_delta fragments into `input`: they must be the JSON of the final input.
        if (JSON.stringify(JSON.parse(partial.get(index) || '{}')) !== JSON.stringify(block.input)) throw new Error(`streamed input ${partial.get(index)} differs from ${JSON.stringify(block.input)}`);
        answer.argumentFragments.push(fragments.get(index) ?? 0);
      });
      return answer;
    }
    case 'gemini': {
      const { model: _model, contents, systemInstruction, tools, toolConfig, safetySettings, generationConfig } = params as Record<string, any>;
      const request = { model, contents, config: { ...generationConfig, systemInstruction, tools, toolConfig, safetySettings } };
      if (!stream) return readGeminiParts((await harness.genai.models.generateContent(request)).candidates?.[0]?.content?.parts ?? [], answer);
      for await (const chunk of await harness.genai.models.generateContentStream(request)) {
        readGeminiParts(chunk.candidates?.[0]?.content?.parts ?? [], answer);
        // Gemini streams a call whole, in one part.
        while (answer.argumentFragments.length < answer.toolCalls.length) answer.argumentFragments.push(1);
      }
      return answer;
    }
  }
}

function readResponsesOutput(output: any[], answer: SdkAnswer): SdkAnswer {
  for (const item of output) {
    if (item.type === 'message') for (const part of item.content) answer.text += part.type === 'output_text' ? part.text : '';
    else if (item.type === 'reasoning') answer.reasoning += [...(item.summary ?? []), ...(item.content ?? [])].map((part: { text: string }) => part.text).join('');
    else if (item.type === 'function_call') answer.toolCalls.push({ id: item.call_id, name: item.name, arguments: item.arguments });
  }
  return answer;
}

function readAnthropicContent(content: any[], answer: SdkAnswer): SdkAnswer {
  for (const block of content) {
    if (block.type === 'text') answer.text += block.text;
    else if (block.type === 'thinking') answer.reasoning += block.thinking;
    else if (block.type === 'tool_use') answer.toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input) });
  }
  return answer;
}

function readGeminiParts(parts: any[], answer: SdkAnswer): SdkAnswer {
  for (const part of parts) {
    if (typeof part.text === 'string') {
      if (part.thought) answer.reasoning += part.text;
      else answer.text += part.text;
    } else if (part.functionCall) answer.toolCalls.push({ id: part.functionCall.id ?? '', name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) });
  }
  return answer;
}

/** A tool as it reached the upstream: name, parameter names and required list (types are spelt per protocol). */
export interface WireTool {
  name: string;
  properties: string[];
  required: string[];
}

export function wireTools(protocol: Protocol, body: any): WireTool[] {
  const tool = (name: string, schema: any): WireTool => ({ name, properties: Object.keys(schema?.properties ?? {}).sort(), required: [...(schema?.required ?? [])].sort() });
  switch (protocol) {
    case 'openai-chat':
      return (body.tools ?? []).map((entry: any) => tool(entry.function.name, entry.function.parameters));
    case 'openai-responses':
      return (body.tools ?? []).filter((entry: any) => entry.type === 'function').map((entry: any) => tool(entry.name, entry.parameters));
    case 'anthropic':
      return (body.tools ?? []).map((entry: any) => tool(entry.name, entry.input_schema));
    case 'gemini':
      return (body.tools ?? []).flatMap((entry: any) => (entry.functionDeclarations ?? []).map((declaration: any) => tool(declaration.name, declaration.parameters ?? declaration.parametersJsonSchema)));
  }
}

/** The tool choice as it reached the upstream: auto, required, none or tool:<name>; undefined when absent. */
export function wireToolChoice(protocol: Protocol, body: any): string | undefined {
  switch (protocol) {
    case 'openai-chat':
    case 'openai-responses': {
      const choice = body.tool_choice;
      if (choice === undefined || typeof choice === 'string') return choice;
      return `tool:${choice.function?.name ?? choice.name}`;
    }
    case 'anthropic': {
      const choice = body.tool_choice;
      if (!choice) return undefined;
      return choice.type === 'any' ? 'required' : choice.type === 'tool' ? `tool:${choice.name}` : choice.type;
    }
    case 'gemini': {
      const config = body.toolConfig?.functionCallingConfig;
      if (!config) return undefined;
      const names: string[] = config.allowedFunctionNames ?? [];
      if (config.mode === 'ANY') return names.length === 1 ? `tool:${names[0]}` : 'required';
      return config.mode?.toLowerCase();
    }
  }
}

/** An image as it travels: by URL, or inline bytes with their media type. */
export type WireImage = { url: string } | { mediaType: string; data: string };

export function wireImages(protocol: Protocol, body: any): WireImage[] {
  const fromUrl = (url: string): WireImage => {
    const inline = /^data:([^;,]+);base64,(.*)$/s.exec(url);
    return inline ? { mediaType: inline[1], data: inline[2] } : { url };
  };
  const images: WireImage[] = [];
  const parts = (content: unknown): any[] => (Array.isArray(content) ? content : []);
  switch (protocol) {
    case 'openai-chat':
      for (const message of body.messages ?? []) for (const part of parts(message.content)) if (part.type === 'image_url') images.push(fromUrl(part.image_url.url));
      break;
    case 'openai-responses':
      for (const item of Array.isArray(body.input) ? body.input : []) for (const part of parts(item.content)) if (part.type === 'input_image') images.push(fromUrl(part.image_url));
      break;
    case 'anthropic':
      for (const message of body.messages ?? []) {
        for (const part of parts(message.content)) {
          if (part.type !== 'image') continue;
          images.push(part.source.type === 'base64' ? { mediaType: part.source.media_type, data: part.source.data } : { url: part.source.url });
        }
      }
      break;
    case 'gemini':
      for (const content of body.contents ?? []) {
        for (const part of parts(content.parts)) {
          if (part.inlineData) images.push({ mediaType: part.inlineData.mimeType, data: part.inlineData.data });
          else if (part.fileData) images.push({ url: part.fileData.fileUri });
        }
      }
      break;
  }
  return images;
}

/** Whether the upstream body asks the model to reason, in that protocol's own terms. */
export function wireAsksForReasoning(protocol: Protocol, body: any): boolean {
  switch (protocol) {
    case 'openai-chat':
      return typeof body.reasoning_effort === 'string' && body.reasoning_effort !== 'none';
    case 'openai-responses':
      return typeof body.reasoning?.effort === 'string' && body.reasoning.effort !== 'none';
    case 'anthropic':
      // An effort without a budget (OpenAI clients' reasoning_effort) stays output_config.effort alone:
      // encode-anthropic-request.ts enables thinking only for a budget or an explicit switch.
      return body.thinking?.type === 'enabled' || body.thinking?.type === 'adaptive' || typeof body.output_config?.effort === 'string';
    case 'gemini': {
      const thinking = body.generationConfig?.thinkingConfig;
      return thinking !== undefined && (thinking.thinkingBudget > 0 || thinking.thinkingBudget === -1 || thinking.thinkingLevel !== undefined);
    }
  }
}
