import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR, fixtureCase, type FixtureCase, type FixtureProvider } from '../support/fixtures';
import { errorBody } from './protocols';
import { addChatUsageChunk, frameCapturedEvents, frameGeminiJsonArray } from './stream-frames';
import type { Protocol } from './types';

export const CAPTURE_PROVIDERS: Record<Protocol, FixtureProvider> = {
  'openai-chat': 'chat-completions',
  'openai-responses': 'responses',
  anthropic: 'anthropic',
  gemini: 'google',
};

/** A capture turned into what goes on the wire. */
export type CaptureAnswer =
  | { kind: 'json'; status: number; body: unknown }
  | { kind: 'stream'; frames: string[]; contentType?: 'json' };

export interface CaptureRequest {
  protocol: Protocol;
  stream: boolean;
  body: any;
  query: Record<string, string>;
}

const cases = new Map<string, FixtureCase>();

export function captureCaseExists(name: string): boolean {
  return existsSync(join(FIXTURES_DIR, name));
}

function captureCase(name: string, protocol: Protocol): FixtureCase {
  const key = `${name}/${protocol}`;
  let found = cases.get(key);
  if (!found) {
    const provider = CAPTURE_PROVIDERS[protocol];
    if (!existsSync(join(FIXTURES_DIR, name, provider))) throw new Error(`fake-provider: no capture ${name}/${provider}`);
    found = fixtureCase(name, provider);
    // Captures are read-only data: parse each file once per process.
    const parsed = new Map<string, unknown>();
    const read = found.read.bind(found);
    found = { ...found, read: <T>(file: string) => (parsed.has(file) ? parsed.get(file) : parsed.set(file, read(file)).get(file)) as T };
    cases.set(key, found);
  }
  return found;
}

/**
 * The answer a capture gives this request: response.json, or response-streaming.json framed as
 * the provider streams it (followup-* for the second turn). A case the provider refused was
 * captured as error.json and replays as that HTTP error.
 */
export function answerFromCapture(name: string, followup: boolean, request: CaptureRequest, requestId: string): CaptureAnswer {
  const capture = captureCase(name, request.protocol);
  const prefix = followup ? 'followup-' : '';
  const file = `${prefix}${request.stream ? 'response-streaming.json' : 'response.json'}`;
  if (capture.files.includes(file)) {
    if (!request.stream) return { kind: 'json', status: 200, body: capture.read(file) };
    let events = capture.read<unknown[]>(file)!;
    if (request.protocol === 'gemini' && request.query.alt !== 'sse') return { kind: 'stream', frames: frameGeminiJsonArray(events), contentType: 'json' };
    if (request.protocol === 'openai-chat' && request.body?.stream_options?.include_usage === true) {
      events = addChatUsageChunk(events, capture.read<{ usage?: unknown }>(`${prefix}response.json`)?.usage);
    }
    return { kind: 'stream', frames: frameCapturedEvents(request.protocol, events) };
  }
  if (!followup && capture.files.includes('error.json')) return answerFromCapturedError(request.protocol, capture.read<{ error: string }>('error.json')!.error, requestId);
  throw new Error(`fake-provider: no capture ${name}/${CAPTURE_PROVIDERS[request.protocol]}/${file} (has ${capture.files.join(', ')})`);
}

/**
 * error.json holds the SDK's error text, e.g. `Error: 400 Unsupported parameter: ...` (openai),
 * `Error: 400 {"type":"error",...}` (anthropic), `Error: ApiError: {"error":{...}}` (genai).
 * Recover the status and the provider's body from it.
 */
export function answerFromCapturedError(protocol: Protocol, text: string, requestId: string): CaptureAnswer {
  const jsonStart = text.indexOf('{');
  if (jsonStart >= 0) {
    try {
      const body = JSON.parse(text.slice(jsonStart)) as { error?: { code?: number } };
      const status = Number(/\b(\d{3})\b/.exec(text.slice(0, jsonStart))?.[1] ?? body.error?.code ?? 400);
      return { kind: 'json', status, body };
    } catch {
      // Not a JSON body after all; fall through to the message form.
    }
  }
  const match = /^(?:Error: )?(\d{3}) ([\s\S]*)$/.exec(text.trim());
  const status = match ? Number(match[1]) : 400;
  return { kind: 'json', status, body: errorBody(protocol, status, requestId, match ? match[2] : text) };
}
