import { GatewayError, UpstreamAnswer } from '@aigw/providers';

/** Upstream error bodies are read up to this size, never more. */
const MAX_ERROR_BODY = 64 * 1024;

/**
 * An upstream refusing the *channel's* credentials (401/403) or out of quota
 * is not the client's bad key or budget: answer 502 and let another channel try.
 */
export function channelFailure(failure: GatewayError): GatewayError {
  if (failure.kind === 'quota_exceeded') {
    return new GatewayError('upstream', 'the upstream provider refused this gateway channel: its quota or billing is exhausted', {
      retryable: true,
      upstreamStatus: failure.options.upstreamStatus ?? failure.status,
    });
  }
  if (failure.kind !== 'authentication' && failure.kind !== 'permission') return failure;
  return new GatewayError('upstream', 'the upstream provider refused this gateway channel\'s credentials', {
    retryable: true,
    upstreamStatus: failure.options.upstreamStatus ?? failure.status,
  });
}

export async function readErrorBody(answer: UpstreamAnswer): Promise<unknown> {
  let text = '';
  try {
    for await (const chunk of answer.body) {
      text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (text.length > MAX_ERROR_BODY) {
        answer.body.destroy();
        break;
      }
    }
  } catch {
    // a broken error body is still an error: classify by status
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
