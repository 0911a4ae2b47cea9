import { expect } from 'vitest';
import { HttpResult } from './test-master';

/** The /api error shape with this status and code. */
export function expectError(result: HttpResult, status: number, code: string): void {
  expect(result.status, JSON.stringify(result.body)).toBe(status);
  expect(result.body).toEqual({ error: { code, message: expect.any(String) }, request_id: expect.any(String) });
}

/** A 400 validation error naming exactly these fields, each with at least one message. */
export function expectInvalid(result: HttpResult, ...fields: string[]): void {
  expect(result.status, JSON.stringify(result.body)).toBe(400);
  expect(result.body).toEqual({
    error: { code: 'validation_failed', message: 'request validation failed', details: expect.any(Array) },
    request_id: expect.any(String),
  });
  const details = result.body.error.details as { field: string; messages: string[] }[];
  expect(details.map((detail) => detail.field).sort()).toEqual([...fields].sort());
  for (const detail of details) {
    expect(detail.messages.length).toBeGreaterThan(0);
    for (const message of detail.messages) expect(typeof message).toBe('string');
  }
}

/** A field the DTO does not know: refused, never dropped. */
export function expectUnknownField(result: HttpResult, field: string): void {
  expectInvalid(result, field);
  expect(result.body.error.details).toEqual([{ field, messages: ['unknown field'] }]);
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** A well-formed id that names nothing. */
export const MISSING_ID = '00000000-0000-4000-8000-000000000000';
