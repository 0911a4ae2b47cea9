import { REQUEST_ID_PATTERN, UsageAttempt } from '@aigw/contracts';
import { ChatRequest, EMPTY_USAGE, Protocol, UpstreamProtocol, Usage } from '@aigw/providers';
import { MediaUnits } from '@aigw/quota';
import { Candidate } from '@aigw/routing';
import { performance } from 'node:perf_hooks';
import { Caller } from './client-auth.util';
import { Admission } from './rate-limits.service';
import { Reservation } from './spend-ledger';

/** What the relay learns about one client request, from auth to the last byte; the usage record is built from it. */
export interface Exchange {
  requestId: string;
  /** The client's own id for the request, if it sent one. */
  clientRequestId: string | null;
  protocol: Protocol;
  /** Usage record endpoint: the client protocol, or embeddings / completions. */
  endpoint: string;
  started: number;
  firstByteAt: number | null;
  caller: Caller | null;
  request: ChatRequest | null;
  candidate: Candidate | null;
  upstreamProtocol: UpstreamProtocol | null;
  attempts: UsageAttempt[];
  /** Channel name of each attempt (for the debug header; the usage record keeps ids). */
  attemptChannels: string[];
  usage: Usage;
  /** What a non-chat endpoint counted (images, audio, characters, search units); null for chat. `estimated`: counted by the gateway, not reported. */
  units: (MediaUnits & { estimated?: boolean }) | null;
  status: number;
  errorClass: string | null;
  stream: boolean;
  /** Candidates passed over without an attempt, and why (open circuit, saturated, retry budget). */
  skipped: { channel: string; reason: string }[];
  /** Answer with the route debug header. */
  debug: boolean;
  /** The worst-case cost held against the caller's quota and balance while the request runs. */
  reservation: Reservation | null;
  /** The rate-limit slots the request holds (null: no limit applies). */
  admission: Admission | null;
  /** Streams: the text, reasoning and tool arguments sent to the client so far (capped), to estimate usage the upstream never reported. */
  delivered: string;
}

/** A client's own request id (X-Client-Request-Id, else X-Request-Id), when well-formed: kept for correlation, never as the key. */
export function clientRequestIdOf(headers: Record<string, string | string[] | undefined>): string | null {
  const value = headers['x-client-request-id'] ?? headers['x-request-id'];
  return typeof value === 'string' && REQUEST_ID_PATTERN.test(value) ? value : null;
}

export function newExchange(requestId: string, protocol: Protocol, endpoint: string, clientRequestId: string | null = null): Exchange {
  return {
    requestId,
    clientRequestId,
    protocol,
    endpoint,
    started: performance.now(),
    firstByteAt: null,
    caller: null,
    request: null,
    candidate: null,
    upstreamProtocol: null,
    attempts: [],
    attemptChannels: [],
    usage: { ...EMPTY_USAGE },
    units: null,
    status: 200,
    errorClass: null,
    stream: false,
    skipped: [],
    debug: false,
    reservation: null,
    admission: null,
    delivered: '',
  };
}
