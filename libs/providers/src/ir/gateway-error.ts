/**
 * Error classes every protocol can express. Client-protocol encoders map them
 * to their own error shape and status (an exhaustive switch); upstream error
 * decoders map provider errors onto them.
 */
export type GatewayErrorKind =
  | 'invalid_request' // 400
  | 'unsupported' // 400: valid in the client protocol, cannot be translated to this upstream
  | 'authentication' // 401
  | 'permission' // 403
  | 'not_found' // 404
  | 'payload_too_large' // 413
  | 'unprocessable' // 422
  | 'rate_limit' // 429
  | 'quota_exceeded' // 402/429: no budget
  | 'timeout' // 504
  | 'overloaded' // 529 (Anthropic) / 503
  | 'upstream' // 502: the upstream failed or answered garbage
  | 'internal'; // 500

export const GATEWAY_ERROR_STATUS: Record<GatewayErrorKind, number> = {
  invalid_request: 400,
  unsupported: 400,
  authentication: 401,
  permission: 403,
  not_found: 404,
  payload_too_large: 413,
  unprocessable: 422,
  rate_limit: 429,
  quota_exceeded: 429,
  timeout: 504,
  overloaded: 503,
  upstream: 502,
  internal: 500,
};

export class GatewayError extends Error {
  override readonly name = 'GatewayError';

  constructor(
    readonly kind: GatewayErrorKind,
    message: string,
    readonly options: {
      /** The request field at fault, e.g. `messages[2].content[0].image_url`. */
      param?: string;
      /** HTTP status to answer with; defaults from the kind. */
      status?: number;
      /** Whether another attempt (other channel, later) may succeed. */
      retryable?: boolean;
      retryAfterMs?: number;
      /** The upstream's status, when the error came from it. */
      upstreamStatus?: number;
    } = {},
  ) {
    super(message);
  }

  get status(): number {
    return this.options.status ?? GATEWAY_ERROR_STATUS[this.kind];
  }

  get param(): string | undefined {
    return this.options.param;
  }

  get retryable(): boolean {
    return this.options.retryable ?? false;
  }
}

/** A valid client request that cannot be expressed for the chosen upstream. */
export function unsupported(feature: string, param?: string): GatewayError {
  return new GatewayError('unsupported', `${feature} cannot be translated for this model's provider`, { param });
}

export function invalidRequest(message: string, param?: string): GatewayError {
  return new GatewayError('invalid_request', message, { param });
}
