import { GatewayErrorKind } from '../ir/gateway-error';

/**
 * The error kind an upstream HTTP status implies when the body says nothing
 * more specific. Shared by every codec's error decoder; each first reads its
 * provider's own error type or code.
 */
export function mapHttpStatusToErrorKind(status: number): GatewayErrorKind {
  switch (status) {
    case 400:
      return 'invalid_request';
    case 401:
      return 'authentication';
    case 402:
      return 'quota_exceeded';
    case 403:
      return 'permission';
    case 404:
      return 'not_found';
    case 408:
    case 504:
      return 'timeout';
    case 409:
      // A conflict on the provider's side (a concurrent request): another attempt may succeed.
      return 'upstream';
    case 413:
      return 'payload_too_large';
    case 422:
      return 'unprocessable';
    case 429:
      return 'rate_limit';
    case 503:
    case 529:
      return 'overloaded';
    default:
      return status >= 500 ? 'upstream' : 'invalid_request';
  }
}
