import { ApiErrorCode } from '@aigw/contracts';
import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { ApiException } from './api.exception';

/**
 * Postgres text cannot hold U+0000. Refuse it up front, naming the field,
 * rather than letting the database fail the request with a 500.
 */
@Injectable()
export class NulCharacterPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const path = findNul(value, metadata.type === 'param' ? (metadata.data ?? '') : '');
    if (path !== null) {
      throw new ApiException(ApiErrorCode.ValidationFailed, 'request validation failed', [
        { field: path || 'body', messages: ['must not contain a NUL character'] },
      ]);
    }
    return value;
  }
}

function findNul(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (const [index, entry] of value.entries()) {
      const found = findNul(entry, `${path}[${index}]`);
      if (found !== null) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, entry] of Object.entries(value)) {
      const found = key.includes('\u0000') ? (path ? `${path}.${key}` : key) : findNul(entry, path ? `${path}.${key}` : key);
      if (found !== null) return found;
    }
  }
  return null;
}
