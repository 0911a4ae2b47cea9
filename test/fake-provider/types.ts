/** The four upstream wire protocols the fake speaks. */
export type Protocol = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini';

/**
 * What a request asked for: `generate` is a (streaming or not) completion; the others are the
 * side endpoints gateways call (Anthropic count_tokens, Gemini countTokens, model lists).
 */
export type Endpoint = 'generate' | 'count-tokens' | 'list-models' | 'embeddings' | 'completions';

export interface FakeProviderKeys {
  openai: string;
  anthropic: string;
  gemini: string;
}

export interface FakeProviderOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Keys the fake accepts; defaults 'sk-fake-openai-key', 'sk-ant-fake-anthropic-key', 'AIzaFakeGeminiKey'. */
  keys?: Partial<FakeProviderKeys>;
  /** Answer requests whose body breaks the published schema with the protocol's 400 instead of the script. Default false. */
  rejectInvalidBodies?: boolean;
}

/** What every fake records of an HTTP request. */
export interface HttpRequestRecord {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body; undefined when there was none or it was not JSON (see rawBody). Cloud fakes: the fields of a form body. */
  body: any;
  rawBody: string;
}

export interface ReceivedRequest extends HttpRequestRecord {
  protocol: Protocol;
  endpoint: Endpoint;
  /** body.stream === true, or Gemini :streamGenerateContent. */
  stream: boolean;
  /** body.model, or the model segment of a Gemini path ('' when neither). */
  model: string;
  /** Ajv errors against the published request schema, one line each; [] when valid. */
  schemaErrors: string[];
  /**
   * true when the client closed the connection before the response finished; false when the
   * response finished, or when the fake itself cut it (`disconnectAfter`, `close()`).
   */
  aborted: Promise<boolean>;
}

export interface StreamTiming {
  /** Wait this long before the status line and first byte. */
  delayFirstByteMs?: number;
  /** Wait this long between events. */
  delayBetweenMs?: number;
  /**
   * Destroy the socket after writing N frames (mid-stream death; no terminating chunk). Frames
   * include the ping the fake adds to Anthropic captures and the `[DONE]` of OpenAI Chat.
   */
  disconnectAfter?: number;
}

/** One scripted event. Nothing is added: an OpenAI Chat script ends with `{ data: '[DONE]' }` itself. */
export interface SseEvent {
  /** SSE `event:` name; for Anthropic and OpenAI Responses it defaults to data.type. */
  event?: string;
  /** Object → JSON; string → written raw after `data: `. */
  data: unknown;
}

export type FakeResponse =
  /**
   * Replay a capture of this case for the request's protocol: response.json, or
   * response-streaming.json when the request streams (followup-* with followup).
   * Cases captured as an error (error.json) replay that error.
   */
  | ({ kind: 'fixture'; case: string; followup?: boolean } & StreamTiming)
  | { kind: 'json'; status?: number; body: unknown; headers?: Record<string, string>; delayMs?: number }
  | ({
      kind: 'sse';
      events: SseEvent[];
      /** Raw bytes instead of events (garbled SSE); still honours the timing of the first byte. */
      raw?: string;
      status?: number;
      headers?: Record<string, string>;
    } & StreamTiming)
  /** The protocol's own error body for that status (type/code derived from status unless given). */
  | { kind: 'error'; status: number; message?: string; type?: string; headers?: Record<string, string>; delayMs?: number }
  /** Accept and never answer (client timeouts). */
  | { kind: 'hang' };

export interface RespondWithOptions {
  /** Only requests of this protocol take this answer; default any. */
  protocol?: Protocol;
  /** Only requests to this endpoint take this answer; default 'generate'. */
  endpoint?: Endpoint;
  /** How many requests take it; default 1, Infinity for all. */
  times?: number;
}

export interface FakeProvider {
  /** http://127.0.0.1:<port> */
  url: string;
  /** What each official SDK takes as base URL: `${url}/v1` for openai, `url` for @anthropic-ai/sdk and @google/genai. */
  baseUrls: { openai: string; anthropic: string; gemini: string };
  keys: FakeProviderKeys;
  /** Every recognised request, in arrival order. */
  received: ReceivedRequest[];
  /** Queue an answer; unscripted requests get the simpleRequest capture of their protocol. */
  respondWith(response: FakeResponse | ((request: ReceivedRequest) => FakeResponse), options?: RespondWithOptions): void;
  /** The next request not yet returned by nextRequest(), waiting for it to arrive if need be. */
  nextRequest(): Promise<ReceivedRequest>;
  /** Forget received requests, scripted answers and the nextRequest() cursor. */
  reset(): void;
  /** Cut open connections (hung requests included) and stop listening. */
  close(): Promise<void>;
}
