import { GatewayError, SseReader, UpstreamAnswer } from '@aigw/providers';
import { FastifyReply } from 'fastify';
import { OutgoingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Exchange } from '../exchange';
import { waitForDrain } from '../relay-stream.util';

/** The upstream's content type, else the fallback. */
export function answerContentType(answer: UpstreamAnswer, fallback: string): string {
  const value = answer.headers['content-type'];
  const type = Array.isArray(value) ? value[0] : value;
  return type && type.length < 200 ? type : fallback;
}

/** A whole (small) answer body as text; the first byte is when it arrived. */
export async function readAnswer(exchange: Exchange, answer: UpstreamAnswer): Promise<string> {
  try {
    const text = await answer.body.text();
    exchange.firstByteAt = performance.now();
    return text;
  } catch {
    throw new GatewayError('upstream', 'the upstream answer was cut off', { retryable: false });
  }
}

/**
 * Forwards an answer's bytes as they arrive (speech audio, SSE streams),
 * under the upstream's content type and the headers the relay already set
 * (request id, rate limits, route debug). `onEvent` sees each SSE event's
 * data when the answer is a stream. A failure after the first byte can only
 * end the response early: the exchange is marked 502.
 */
export async function pipeAnswer(exchange: Exchange, answer: UpstreamAnswer, reply: FastifyReply, onEvent?: (data: string) => void): Promise<void> {
  const contentType = answerContentType(answer, 'application/octet-stream');
  const reader = onEvent && contentType.startsWith('text/event-stream') ? new SseReader() : null;
  const raw = reply.raw;
  reply.hijack();
  const headers: OutgoingHttpHeaders = { ...(reply.getHeaders() as OutgoingHttpHeaders), 'content-type': contentType, 'cache-control': 'no-cache', 'x-accel-buffering': 'no' };
  raw.writeHead(200, { ...headers, 'x-request-id': exchange.requestId });
  try {
    for await (const chunk of answer.body) {
      if (exchange.firstByteAt === null) exchange.firstByteAt = performance.now();
      if (raw.destroyed) break;
      if (!raw.write(chunk)) await waitForDrain(raw);
      if (reader) for (const message of reader.push(chunk)) onEvent!(message.data);
    }
  } catch {
    // The client went away (its close aborts the upstream), or the upstream failed mid-answer.
    exchange.status = raw.destroyed ? 499 : 502;
    exchange.errorClass = 'upstream';
  } finally {
    if (!raw.destroyed) raw.end();
  }
}
