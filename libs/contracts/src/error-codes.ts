/** Error codes of the admin API (`/api`). Each maps to exactly one HTTP status. */
export enum ApiErrorCode {
  ValidationFailed = 'validation_failed',
  Unauthenticated = 'unauthenticated',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  Conflict = 'conflict',
  RateLimited = 'rate_limited',
  Internal = 'internal_error',
  Unavailable = 'service_unavailable',
}

export const API_ERROR_STATUS: Record<ApiErrorCode, number> = {
  [ApiErrorCode.ValidationFailed]: 400,
  [ApiErrorCode.Unauthenticated]: 401,
  [ApiErrorCode.Forbidden]: 403,
  [ApiErrorCode.NotFound]: 404,
  [ApiErrorCode.Conflict]: 409,
  [ApiErrorCode.RateLimited]: 429,
  [ApiErrorCode.Internal]: 500,
  [ApiErrorCode.Unavailable]: 503,
};

/** One invalid field of a request body or query. `field` is a dotted path. */
export interface ApiFieldError {
  field: string;
  messages: string[];
}

/** The one error body of `/api`. */
export interface ApiErrorBody {
  error: {
    code: ApiErrorCode;
    message: string;
    details?: ApiFieldError[];
  };
  request_id: string;
}
