/**
 * A fake Cohere: POST /v2/chat (Chat API v2) on its own node:http server,
 * answering scripted text, tool-call and error answers as JSON or as SSE.
 *
 * There are no Cohere captures in ../shared/fixtures; every shape is built
 * from Cohere's published reference and SDK types:
 * - request: https://docs.cohere.com/reference/chat and cohere-ai/cohere-typescript
 *   V2ChatRequest, ChatMessageV2 (system / user / assistant / tool), Content
 *   (text, image_url), ToolCallV2, ToolV2, ResponseFormatV2, Thinking;
 * - JSON answer: V2ChatResponse — {id, finish_reason, message {role, content
 *   [{type text|thinking}], tool_plan, tool_calls}, usage {billed_units,
 *   tokens}} (real answers add `usage.cached_tokens`);
 * - stream: StreamedChatResponseV2 (https://docs.cohere.com/docs/streaming),
 *   one SSE message per event, `event: <type>` and `data: {"type": <type>, …}`:
 *   message-start, content-start/-delta/-end, tool-plan-delta,
 *   tool-call-start/-delta/-end, message-end {finish_reason, usage};
 * - errors: `{"id": "…", "message": "…"}` with the HTTP status
 *   (https://docs.cohere.com/reference/errors); a wrong key is 401
 *   "invalid api token".
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './read-body';

export const COHERE_FAKE_KEY = 'co-fake-cohere-key-0123456789';

/** Counts the fake reports: billed (what Cohere invoices) and processed (template included). */
export interface CohereFakeUsage {
  billed: { input: number; output: number };
  tokens: { input: number; output: number };
  cached?: number;
}

/** Shaped like a real short answer: Cohere's prompt template makes the processed input far larger than the billed one. */
export const DEFAULT_COHERE_USAGE: CohereFakeUsage = { billed: { input: 12, output: 7 }, tokens: { input: 507, output: 10 }, cached: 448 };

export type CohereFakeAnswer =
  | { kind: 'text'; text: string; thinking?: string; finishReason?: 'COMPLETE' | 'MAX_TOKENS' | 'STOP_SEQUENCE'; usage?: CohereFakeUsage; done?: boolean }
  | { kind: 'tool-calls'; plan?: string; calls: Array<{ id: string; name: string; arguments: string }>; usage?: CohereFakeUsage }
  | { kind: 'error'; status: number; message: string; headers?: Record<string, string> };

export interface CohereReceived {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  stream: boolean;
  /** Departures from the v2 request schema, one line each; [] when valid. */
  problems: string[];
}

export interface CohereFake {
  /** http://127.0.0.1:<port>: the base URL as Cohere's SDKs take it. */
  url: string;
  key: string;
  received: CohereReceived[];
  /** Queue an answer; unscripted requests get a short text answer. */
  respondWith(answer: CohereFakeAnswer): void;
  reset(): void;
  close(): Promise<void>;
}

export async function startCohereFake(): Promise<CohereFake> {
  const received: CohereReceived[] = [];
  const scripted: CohereFakeAnswer[] = [];
  const server = createServer((incoming, response) => {
    void handle(incoming, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { id: randomUUID(), message: String(error) });
      else response.destroy();
    });
  });

  async function handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(incoming.url ?? '/', 'http://fake-cohere').pathname;
    const raw = await readBody(incoming);
    if (incoming.method !== 'POST' || path !== '/v2/chat') {
      sendJson(response, 404, { id: randomUUID(), message: `no route for ${incoming.method} ${path}` });
      return;
    }
    if (incoming.headers.authorization !== `Bearer ${COHERE_FAKE_KEY}`) {
      sendJson(response, 401, { id: randomUUID(), message: 'invalid api token' });
      return;
    }
    let body: any;
    try {
      body = JSON.parse(raw);
    } catch {
      sendJson(response, 400, { id: randomUUID(), message: 'invalid request: body is not valid JSON' });
      return;
    }
    const stream = body?.stream === true;
    received.push({ path, headers: incoming.headers, body, stream, problems: checkRequest(body) });
    const answer = scripted.shift() ?? { kind: 'text', text: 'Hello from the fake Cohere.' };
    if (answer.kind === 'error') {
      sendJson(response, answer.status, { id: randomUUID(), message: answer.message }, answer.headers);
      return;
    }
    if (!stream) {
      sendJson(response, 200, jsonAnswer(answer));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const event of streamEvents(answer)) response.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    if (answer.kind === 'text' && answer.done) response.write('data: [DONE]\n\n');
    response.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    key: COHERE_FAKE_KEY,
    received,
    respondWith: (answer) => void scripted.push(answer),
    reset() {
      received.length = 0;
      scripted.length = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function usageOf(usage: CohereFakeUsage = DEFAULT_COHERE_USAGE) {
  return {
    billed_units: { input_tokens: usage.billed.input, output_tokens: usage.billed.output },
    tokens: { input_tokens: usage.tokens.input, output_tokens: usage.tokens.output },
    ...(usage.cached !== undefined ? { cached_tokens: usage.cached } : {}),
  };
}

function jsonAnswer(answer: Exclude<CohereFakeAnswer, { kind: 'error' }>) {
  const id = randomUUID();
  if (answer.kind === 'tool-calls') {
    return {
      id,
      message: {
        role: 'assistant',
        ...(answer.plan ? { tool_plan: answer.plan } : {}),
        tool_calls: answer.calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })),
      },
      finish_reason: 'TOOL_CALL',
      usage: usageOf(answer.usage),
    };
  }
  const content = [...(answer.thinking ? [{ type: 'thinking', thinking: answer.thinking }] : []), { type: 'text', text: answer.text }];
  return { id, message: { role: 'assistant', content }, finish_reason: answer.finishReason ?? 'COMPLETE', usage: usageOf(answer.usage) };
}

/** Text split after each space, as Cohere streams words. */
function pieces(text: string): string[] {
  return text.match(/\S*\s*/g)!.filter((piece) => piece !== '');
}

function streamEvents(answer: Exclude<CohereFakeAnswer, { kind: 'error' }>): Array<Record<string, unknown> & { type: string }> {
  const events: Array<Record<string, unknown> & { type: string }> = [
    { id: randomUUID(), type: 'message-start', delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } } },
  ];
  if (answer.kind === 'tool-calls') {
    for (const piece of pieces(answer.plan ?? '')) events.push({ type: 'tool-plan-delta', delta: { message: { tool_plan: piece } } });
    answer.calls.forEach((call, index) => {
      events.push({ type: 'tool-call-start', index, delta: { message: { tool_calls: { id: call.id, type: 'function', function: { name: call.name, arguments: '' } } } } });
      for (let offset = 0; offset < call.arguments.length; offset += 8) {
        events.push({ type: 'tool-call-delta', index, delta: { message: { tool_calls: { function: { arguments: call.arguments.slice(offset, offset + 8) } } } } });
      }
      events.push({ type: 'tool-call-end', index });
    });
    events.push({ type: 'message-end', delta: { finish_reason: 'TOOL_CALL', usage: usageOf(answer.usage) } });
    return events;
  }
  let index = 0;
  if (answer.thinking) {
    events.push({ type: 'content-start', index, delta: { message: { content: { type: 'thinking', thinking: '' } } } });
    for (const piece of pieces(answer.thinking)) events.push({ type: 'content-delta', index, delta: { message: { content: { thinking: piece } } } });
    events.push({ type: 'content-end', index });
    index++;
  }
  events.push({ type: 'content-start', index, delta: { message: { content: { type: 'text', text: '' } } } });
  for (const piece of pieces(answer.text)) events.push({ type: 'content-delta', index, delta: { message: { content: { text: piece } } } });
  events.push({ type: 'content-end', index });
  events.push({ type: 'message-end', delta: { finish_reason: answer.finishReason ?? 'COMPLETE', usage: usageOf(answer.usage) } });
  return events;
}

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);
const KNOWN_FIELDS = new Set([
  'model', 'messages', 'tools', 'strict_tools', 'documents', 'citation_options', 'response_format', 'safety_mode', 'max_tokens',
  'stop_sequences', 'temperature', 'seed', 'frequency_penalty', 'presence_penalty', 'k', 'p', 'logprobs', 'tool_choice', 'thinking', 'stream',
]);

/** The v2 request rules the gateway must keep (field names, roles, content types, ranges). */
function checkRequest(body: any): string[] {
  const problems: string[] = [];
  if (typeof body !== 'object' || body === null) return ['the body is not an object'];
  for (const key of Object.keys(body)) if (!KNOWN_FIELDS.has(key)) problems.push(`unknown field ${key}`);
  if (typeof body.model !== 'string' || body.model === '') problems.push('model must be a non-empty string');
  if (!Array.isArray(body.messages) || body.messages.length === 0) problems.push('messages must be a non-empty array');
  (Array.isArray(body.messages) ? body.messages : []).forEach((message: any, index: number) => {
    const at = `messages[${index}]`;
    if (!ROLES.has(message?.role)) problems.push(`${at}.role must be system, user, assistant or tool`);
    if (message?.role === 'tool' && typeof message.tool_call_id !== 'string') problems.push(`${at}.tool_call_id is required`);
    if (message?.role !== 'assistant' && message?.content === undefined) problems.push(`${at}.content is required`);
    if (Array.isArray(message?.content)) {
      message.content.forEach((item: any, itemIndex: number) => {
        const allowed = message.role === 'user' ? ['text', 'image_url'] : message.role === 'assistant' ? ['text', 'thinking'] : ['text', 'document'];
        if (!allowed.includes(item?.type)) problems.push(`${at}.content[${itemIndex}].type must be one of ${allowed.join(', ')}`);
      });
    }
    for (const call of message?.tool_calls ?? []) {
      if (typeof call?.id !== 'string' || call?.type !== 'function' || typeof call?.function?.name !== 'string' || typeof call?.function?.arguments !== 'string') {
        problems.push(`${at}.tool_calls: each call needs id, type function and function {name, arguments}`);
      }
    }
  });
  for (const tool of body.tools ?? []) {
    if (tool?.type !== 'function' || typeof tool?.function?.name !== 'string') problems.push('tools: each tool needs type function and function.name');
  }
  if (body.tool_choice !== undefined && !['REQUIRED', 'NONE'].includes(body.tool_choice)) problems.push('tool_choice must be REQUIRED or NONE');
  if (body.tool_choice !== undefined && !(body.tools?.length > 0)) problems.push('tool_choice needs tools');
  if (body.thinking !== undefined && !['enabled', 'disabled'].includes(body.thinking?.type)) problems.push('thinking.type must be enabled or disabled');
  if (body.p !== undefined && !(body.p >= 0.01 && body.p <= 0.99)) problems.push('p must be within 0.01 and 0.99');
  if (body.k !== undefined && !(Number.isInteger(body.k) && body.k >= 0 && body.k <= 500)) problems.push('k must be an integer within 0 and 500');
  if (body.stop_sequences !== undefined && !(Array.isArray(body.stop_sequences) && body.stop_sequences.length <= 5)) problems.push('stop_sequences: at most 5');
  if (typeof body.stream !== 'boolean') problems.push('stream must be a boolean');
  return problems;
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}
