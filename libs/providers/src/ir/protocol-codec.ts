import { ChatRequest } from './chat-request';
import { ChatResponse } from './chat-response';
import { GatewayError } from './gateway-error';
import { StreamEvent } from './stream-event';

/** The four wire protocols, on both sides of the gateway. */
export type Protocol = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini';

export const PROTOCOLS: readonly Protocol[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];

/** What the client-facing route knows besides the body (Gemini puts model and streaming in the URL). */
export interface ClientRequestContext {
  /** Model from the URL path (Gemini `models/{model}:generateContent`). */
  model?: string;
  /** Streaming decided by the URL (Gemini `:streamGenerateContent`). */
  stream?: boolean;
}

export interface ClientResponseContext {
  /** The model name to show the client (what it asked for, or what answered, per protocol habit). */
  model: string;
  /** The client asked for usage in the stream (OpenAI stream_options.include_usage). */
  streamUsage?: boolean;
}

/** One SSE message as parsed from an upstream stream. */
export interface SseMessage {
  event?: string;
  data: string;
}

/** Turns upstream SSE messages into canonical events, one message at a time. */
export interface StreamDecoder {
  decode(message: SseMessage): StreamEvent[];
  /**
   * The upstream closed the stream. Returns what is still owed: nothing after
   * a proper finish; an `error` event when the stream ended without one (a
   * cut connection must never look like a complete answer).
   */
  end(): StreamEvent[];
}

/** Turns canonical events into the client protocol's SSE text. */
export interface StreamEncoder {
  /** SSE text to write now ('' when the event has no representation in this protocol). */
  encode(event: StreamEvent): string;
}

export interface UpstreamRequest {
  /** Path and query below the channel's base URL, e.g. `/chat/completions` or `/v1beta/models/x:streamGenerateContent?alt=sse`. */
  path: string;
  body: unknown;
}

/**
 * A protocol's codec: client side (decode requests, encode responses, streams
 * and errors) and upstream side (encode requests, decode responses, streams
 * and errors). Pure functions of plain data; throws GatewayError.
 */
export interface ProtocolCodec {
  readonly protocol: Protocol;

  // client side
  decodeRequest(body: unknown, context?: ClientRequestContext): ChatRequest;
  encodeResponse(response: ChatResponse, context: ClientResponseContext): unknown;
  createStreamEncoder(context: ClientResponseContext): StreamEncoder;
  encodeError(error: GatewayError): { status: number; body: unknown };

  // upstream side
  encodeRequest(request: ChatRequest, upstreamModel: string): UpstreamRequest;
  decodeResponse(body: unknown): ChatResponse;
  createStreamDecoder(): StreamDecoder;
  /** Maps an upstream error answer (status, parsed JSON body or text) to a GatewayError with retryability. */
  decodeError(status: number, body: unknown, headers?: Record<string, string | string[] | undefined>): GatewayError;
}

/**
 * What the gateway can speak to an upstream: the four client protocols, plus
 * wire formats that exist only on the provider side (Bedrock Converse,
 * Cohere's native chat). A client never speaks these.
 */
export type UpstreamProtocol = Protocol | 'bedrock-converse' | 'cohere';

/** The upstream half of a codec: all a provider-only wire format needs. */
export interface UpstreamCodec {
  readonly protocol: UpstreamProtocol;
  /** The format takes images only as inline bytes, never by URL (Bedrock Converse): the relay fetches URL images first when allowed. */
  readonly imagesInlineOnly?: boolean;
  encodeRequest(request: ChatRequest, upstreamModel: string): UpstreamRequest;
  decodeResponse(body: unknown): ChatResponse;
  createStreamDecoder(): StreamDecoder;
  decodeError(status: number, body: unknown, headers?: Record<string, string | string[] | undefined>): GatewayError;
}

/**
 * Cuts an upstream's streamed body into messages for a StreamDecoder: SSE for
 * most providers; AWS event-stream frames for Bedrock (each frame's event
 * type and JSON payload become one message).
 */
export interface FrameReader {
  /** Messages completed by this chunk (chunk boundaries may fall anywhere). */
  push(chunk: Uint8Array | string): SseMessage[];
  /** The body ended: what is still pending. Throws when the body was cut mid-frame and the framing can tell. */
  end(): SseMessage[];
}
