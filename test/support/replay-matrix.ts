import { ChatResponse, FinishReason, Protocol, SseReader, StreamEvent, Usage, codecFor } from '@aigw/providers';
import { answerFromCapture } from '../fake-provider/capture-answers';
import type { ReceivedRequest } from '../fake-provider';
import { FixtureProvider, fixtureCases } from './fixtures';
import { MODELS, UpstreamFamily } from './relay-harness';

/**
 * The replay matrix: every client protocol × upstream family × streaming ×
 * capture case, driven by raw HTTP with the captured request bodies and
 * answered by the fake with the upstream's capture of the same case.
 */

export const CLIENTS: readonly Protocol[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];
export const FAMILIES: readonly UpstreamFamily[] = ['openai', 'anthropic', 'gemini'];

export const CAPTURE_PROVIDER: Record<Protocol, FixtureProvider> = {
  'openai-chat': 'chat-completions',
  'openai-responses': 'responses',
  anthropic: 'anthropic',
  gemini: 'google',
};

/** What the gateway speaks to the family for this client (see apps/agent/src/relay/upstream-target.util.ts). */
export function upstreamProtocolOf(client: Protocol, family: UpstreamFamily): Protocol {
  if (family === 'openai') return client === 'openai-responses' ? 'openai-responses' : 'openai-chat';
  return family;
}

export type Turn = 'first' | 'followup';

/** One replayed exchange: C's captured request of K, answered with U's capture of K. */
export interface ReplayCell {
  client: Protocol;
  family: UpstreamFamily;
  upstream: Protocol;
  stream: boolean;
  caseName: string;
  turn: Turn;
  /** `${case}` or `${case}:followup`. */
  label: string;
}

function files(turn: Turn, stream: boolean): { request: string; response: string } {
  const prefix = turn === 'followup' ? 'followup-' : '';
  return { request: `${prefix}request.json`, response: `${prefix}${stream ? 'response-streaming.json' : 'response.json'}` };
}

export function cellLabel(caseName: string, turn: Turn): string {
  return turn === 'followup' ? `${caseName}:followup` : caseName;
}

/** Every cell a capture exists for: C recorded the request, U recorded the (streamed) answer. */
export function replayCells(): ReplayCell[] {
  const byProvider = new Map<FixtureProvider, Map<string, string[]>>();
  for (const protocol of CLIENTS) {
    const provider = CAPTURE_PROVIDER[protocol];
    byProvider.set(provider, new Map(fixtureCases(provider).map((entry) => [entry.name, entry.files])));
  }
  const cells: ReplayCell[] = [];
  for (const client of CLIENTS) {
    for (const family of FAMILIES) {
      const upstream = upstreamProtocolOf(client, family);
      for (const stream of [false, true]) {
        for (const turn of ['first', 'followup'] as const) {
          const wanted = files(turn, stream);
          for (const [caseName, clientFiles] of byProvider.get(CAPTURE_PROVIDER[client])!) {
            const upstreamFiles = byProvider.get(CAPTURE_PROVIDER[upstream])!.get(caseName);
            if (!clientFiles.includes(wanted.request) || !upstreamFiles?.includes(wanted.response)) continue;
            cells.push({ client, family, upstream, stream, caseName, turn, label: cellLabel(caseName, turn) });
          }
        }
      }
    }
  }
  return cells;
}

/** How a replayed exchange ended, and which feature columns it exercised (for docs/protocol-matrix.md). */
export interface ReplayResult {
  cell: ReplayCell;
  outcome: 'pass' | 'refused' | 'fail';
  features: Set<'text' | 'tools' | 'images' | 'reasoning'>;
}

export function cellKey(cell: Pick<ReplayCell, 'client' | 'upstream' | 'label'>): string {
  return `${cell.client} → ${cell.upstream} ${cell.label}`;
}

export function cellName(cell: ReplayCell): string {
  return `${cellKey(cell)} (${cell.stream ? 'stream' : 'JSON'})`;
}

/** The client's HTTP request for a cell: path per protocol, logical model of U, `stream` as the cell says. */
export function clientRequest(cell: ReplayCell, captured: Record<string, unknown>): { path: string; body: Record<string, unknown> } {
  const model = MODELS[cell.family];
  const body: Record<string, unknown> = structuredClone(captured);
  switch (cell.client) {
    case 'gemini':
      // @google/genai puts the model and streaming in the URL, never in the body.
      delete body.model;
      return { path: `/v1beta/models/${model}:${cell.stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`, body };
    case 'openai-chat':
      body.model = model;
      body.stream = cell.stream;
      // Without include_usage a Chat stream carries no usage at all: ask for it, as SDK users do.
      if (cell.stream) body.stream_options = { ...(body.stream_options as object | undefined), include_usage: true };
      else delete body.stream_options;
      return { path: '/v1/chat/completions', body };
    case 'openai-responses':
      body.model = model;
      body.stream = cell.stream;
      return { path: '/v1/responses', body };
    case 'anthropic':
      body.model = model;
      body.stream = cell.stream;
      return { path: '/v1/messages', body };
  }
}

export function capturedRequest(cell: ReplayCell): Record<string, unknown> {
  const entry = fixtureCases(CAPTURE_PROVIDER[cell.client]).find((candidate) => candidate.name === cell.caseName)!;
  return entry.read(files(cell.turn, cell.stream).request)!;
}

/** What a client can read back: the comparable content of an answer. */
export interface AnswerSummary {
  text: string;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  reasoning: string;
  finishReason: FinishReason;
  usage: Pick<Usage, 'inputTokens' | 'outputTokens' | 'cachedInputTokens'>;
}

export function summariseResponse(response: ChatResponse): AnswerSummary {
  const summary: AnswerSummary = { text: '', toolCalls: [], reasoning: '', finishReason: response.finishReason, usage: pickUsage(response.usage) };
  for (const part of response.content) {
    if (part.type === 'text') summary.text += part.text;
    else if (part.type === 'reasoning') summary.reasoning += part.text;
    else summary.toolCalls.push({ id: part.id, name: part.name, arguments: part.arguments });
  }
  return summary;
}

/** Events of a whole stream → summary; a stream without `finish` (an error, a cut) throws with what it got. */
export function summariseEvents(events: StreamEvent[]): AnswerSummary {
  const summary: AnswerSummary = { text: '', toolCalls: [], reasoning: '', finishReason: 'other', usage: pickUsage(undefined) };
  const calls = new Map<number, { id: string; name: string; arguments: string }>();
  let finished = false;
  for (const event of events) {
    switch (event.type) {
      case 'text-delta':
        summary.text += event.text;
        break;
      case 'reasoning-delta':
        summary.reasoning += event.text ?? '';
        break;
      case 'tool-call-start': {
        const call = { id: event.id, name: event.name, arguments: '' };
        calls.set(event.index, call);
        summary.toolCalls.push(call);
        break;
      }
      case 'tool-call-delta':
        calls.get(event.index)!.arguments += event.argumentsDelta;
        break;
      case 'finish':
        finished = true;
        summary.finishReason = event.finishReason;
        summary.usage = pickUsage(event.usage);
        break;
      case 'error':
        throw new Error(`the stream ended with an error: ${event.error.kind}: ${event.error.message}`);
      default:
        break;
    }
  }
  if (!finished) throw new Error('the stream ended without a finish event');
  return summary;
}

function pickUsage(usage: Usage | undefined): AnswerSummary['usage'] {
  return { inputTokens: usage?.inputTokens ?? 0, outputTokens: usage?.outputTokens ?? 0, cachedInputTokens: usage?.cachedInputTokens ?? 0 };
}

/** SSE text → canonical events through a protocol's stream decoder. */
export function decodeSseText(protocol: Protocol, text: string): StreamEvent[] {
  const reader = new SseReader();
  const decoder = codecFor(protocol).createStreamDecoder();
  const events: StreamEvent[] = [];
  for (const message of [...reader.push(text), ...reader.end()]) events.push(...decoder.decode(message));
  events.push(...decoder.end());
  return events;
}

/**
 * U's capture of the cell's case, exactly as the fake put it on the wire for
 * the request it received, decoded with U's codec.
 */
export function expectedAnswer(cell: ReplayCell, received: ReceivedRequest): AnswerSummary {
  const answer = answerFromCapture(
    cell.caseName,
    cell.turn === 'followup',
    { protocol: cell.upstream, stream: cell.stream, body: received.body, query: received.query },
    'req_expected',
  );
  const codec = codecFor(cell.upstream);
  if (answer.kind === 'json') return summariseResponse(codec.decodeResponse(answer.body));
  return summariseEvents(decodeSseText(cell.upstream, answer.frames.join('')));
}

/** The gateway's answer read with the client's own codec, as that protocol's SDK would. */
export function actualAnswer(cell: ReplayCell, text: string): AnswerSummary {
  if (!cell.stream) return summariseResponse(codecFor(cell.client).decodeResponse(JSON.parse(text)));
  return summariseEvents(decodeSseText(cell.client, text));
}

/** Tool-call arguments compared as parsed JSON (key order and whitespace are not meaning). */
export function comparableCalls(calls: AnswerSummary['toolCalls']): Array<{ name: string; arguments: unknown }> {
  return calls.map((call) => ({ name: call.name, arguments: call.arguments === '' ? {} : JSON.parse(call.arguments) }));
}
