import { API_ERROR_STATUS, ApiErrorCode, ApiFieldError } from '@aigw/contracts';

/** The one exception type of the admin API; the global filter renders it. */
export class ApiException extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: ApiFieldError[],
    /** Extra response headers, e.g. Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  get status(): number {
    return API_ERROR_STATUS[this.code];
  }

  static notFound(entity: string): ApiException {
    return new ApiException(ApiErrorCode.NotFound, `${entity} not found`);
  }

  static conflict(message: string): ApiException {
    return new ApiException(ApiErrorCode.Conflict, message);
  }

  static invalid(field: string, message: string): ApiException {
    return new ApiException(ApiErrorCode.ValidationFailed, 'request validation failed', [{ field, messages: [message] }]);
  }

  static forbidden(message = 'your role may not do this'): ApiException {
    return new ApiException(ApiErrorCode.Forbidden, message);
  }
}
