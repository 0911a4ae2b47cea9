import { invalidRequest } from '../ir';

/**
 * Small readers for untrusted client JSON: each checks one field's type and
 * throws invalidRequest naming the field in the protocol's own path syntax
 * (`input[2].content[0].text`), as OpenAI's own 400s do.
 */
export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireObject(value: unknown, param: string): JsonObject {
  if (!isObject(value)) throw invalidRequest(`Invalid type for '${param}': expected an object.`, param);
  return value;
}

export function requireString(value: unknown, param: string): string {
  if (value === undefined || value === null) throw invalidRequest(`Missing required parameter: '${param}'.`, param);
  if (typeof value !== 'string') throw invalidRequest(`Invalid type for '${param}': expected a string.`, param);
  return value;
}

export function optionalString(value: unknown, param: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidRequest(`Invalid type for '${param}': expected a string.`, param);
  return value;
}

export function optionalBoolean(value: unknown, param: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidRequest(`Invalid type for '${param}': expected a boolean.`, param);
  return value;
}

export function optionalNumber(value: unknown, param: string, range?: { min: number; max: number }): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidRequest(`Invalid type for '${param}': expected a number.`, param);
  if (range && (value < range.min || value > range.max)) {
    throw invalidRequest(`Invalid '${param}': expected a value between ${range.min} and ${range.max}, got ${value}.`, param);
  }
  return value;
}

export function optionalPositiveInteger(value: unknown, param: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalidRequest(`Invalid '${param}': expected a positive integer.`, param);
  }
  return value;
}

export function optionalArray(value: unknown, param: string): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidRequest(`Invalid type for '${param}': expected an array.`, param);
  return value;
}

export function requireOneOf<T extends string>(value: unknown, allowed: readonly T[], param: string): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw invalidRequest(`Invalid value for '${param}': expected one of ${allowed.map((entry) => `'${entry}'`).join(', ')}.`, param);
  }
  return value as T;
}
