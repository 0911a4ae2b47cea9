import { flattenErrors } from '@aigw/config';
import { ApiErrorCode, ApiFieldError } from '@aigw/contracts';
import { ValidationPipe } from '@nestjs/common';
import { ApiException } from './api.exception';

/** Whitelisting validation: unknown fields are a 400 naming them, never silently dropped. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const byField = new Map<string, string[]>();
      for (const { path, messages } of flattenErrors(errors, '', 'unknown field')) {
        byField.set(path || 'body', [...(byField.get(path || 'body') ?? []), ...messages]);
      }
      const details: ApiFieldError[] = [...byField].map(([field, messages]) => ({ field, messages }));
      return new ApiException(ApiErrorCode.ValidationFailed, 'request validation failed', details);
    },
  });
}
