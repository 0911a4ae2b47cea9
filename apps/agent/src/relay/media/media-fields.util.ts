import { GatewayError } from '@aigw/providers';
import { assertShallow } from '../relay-request.util';

/** A JSON endpoint's body: an object (400 otherwise). */
export function jsonObjectBody(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new GatewayError('invalid_request', 'the request body must be a JSON object');
  assertShallow(body);
  return body as Record<string, unknown>;
}

/** A required non-empty string field. */
export function requiredText(fields: Record<string, unknown>, name: string): string {
  const value = fields[name];
  if (typeof value !== 'string' || value === '') throw new GatewayError('invalid_request', `${name} is required and must be a non-empty string`, { param: name });
  return value;
}

/** An optional integer in [min, max]: a JSON number, or a form field's decimal text. */
export function optionalInteger(fields: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const raw = fields[name];
  if (raw === undefined || raw === null) return undefined;
  const value = typeof raw === 'string' && /^\d{1,9}$/.test(raw.trim()) ? Number(raw.trim()) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new GatewayError('invalid_request', `${name} must be an integer from ${min} to ${max}`, { param: name });
  }
  return value;
}

/** An optional boolean: a JSON boolean, or a form field's `true` / `false`. */
export function optionalBoolean(fields: Record<string, unknown>, name: string): boolean | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new GatewayError('invalid_request', `${name} must be a boolean`, { param: name });
}
