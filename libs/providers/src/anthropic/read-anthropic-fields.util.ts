import {
  CacheControl,
  invalidRequest,
} from '../ir';

/** Typed readers for client bodies: each names the param at fault in its 400. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readString(value: unknown, param: string): string {
  if (typeof value !== 'string') throw invalidRequest(`${param}: must be a string`, param);
  return value;
}

export function readInteger(value: unknown, param: string, minimum: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw invalidRequest(`${param}: must be an integer >= ${minimum}`, param);
  }
  return value;
}

export function readOptionalNumber(value: unknown, param: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidRequest(`${param}: must be a number`, param);
  return value;
}

export function readOptionalBoolean(value: unknown, param: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidRequest(`${param}: must be a boolean`, param);
  return value;
}

export function readStringArray(value: unknown, param: string): string[] {
  if (!Array.isArray(value)) throw invalidRequest(`${param}: must be an array of strings`, param);
  return value.map((item, index) => readString(item, `${param}[${index}]`));
}

export function readArray(value: unknown, param: string): unknown[] {
  if (!Array.isArray(value)) throw invalidRequest(`${param}: must be an array`, param);
  return value;
}

export function withCache<T extends object>(part: T, cacheControl: CacheControl | undefined): T {
  return cacheControl ? { ...part, cacheControl } : part;
}

