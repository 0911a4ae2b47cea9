import { invalidRequest } from '../ir';

/**
 * Typed reads of untrusted client JSON. Absent and null mean "not set"
 * (OpenAI documents most fields as nullable); anything else of the wrong
 * type is a 400 naming the field.
 */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

export function readString(object: JsonObject, key: string, param: string): string | undefined {
  const value = object[key];
  if (!isSet(value)) return undefined;
  if (typeof value !== 'string') throw invalidRequest(`${param} must be a string`, param);
  return value;
}

export function requireString(object: JsonObject, key: string, param: string): string {
  const value = readString(object, key, param);
  if (value === undefined) throw invalidRequest(`${param} is required`, param);
  return value;
}

export function readNumber(object: JsonObject, key: string, param: string): number | undefined {
  const value = object[key];
  if (!isSet(value)) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidRequest(`${param} must be a number`, param);
  return value;
}

export function readInteger(object: JsonObject, key: string, param: string, minimum?: number): number | undefined {
  const value = readNumber(object, key, param);
  if (value === undefined) return undefined;
  if (!Number.isInteger(value)) throw invalidRequest(`${param} must be an integer`, param);
  if (minimum !== undefined && value < minimum) throw invalidRequest(`${param} must be at least ${minimum}`, param);
  return value;
}

export function readBoolean(object: JsonObject, key: string, param: string): boolean | undefined {
  const value = object[key];
  if (!isSet(value)) return undefined;
  if (typeof value !== 'boolean') throw invalidRequest(`${param} must be a boolean`, param);
  return value;
}

export function readObject(object: JsonObject, key: string, param: string): JsonObject | undefined {
  const value = object[key];
  if (!isSet(value)) return undefined;
  if (!isJsonObject(value)) throw invalidRequest(`${param} must be an object`, param);
  return value;
}

export function readArray(object: JsonObject, key: string, param: string): unknown[] | undefined {
  const value = object[key];
  if (!isSet(value)) return undefined;
  if (!Array.isArray(value)) throw invalidRequest(`${param} must be an array`, param);
  return value;
}

export function requireObject(value: unknown, param: string): JsonObject {
  if (!isJsonObject(value)) throw invalidRequest(`${param} must be an object`, param);
  return value;
}
