import { describe, expect, it } from 'vitest';
import { decodeFunctionResponseObject, encodeFunctionResponseObject } from './convert-gemini-function-response';

describe('function response objects', () => {
  it.each([
    [{ output: 'sunny' }, 'sunny', false],
    [{ error: 'no data' }, 'no data', true],
    [{ temperature: '71 degrees' }, '{"temperature":"71 degrees"}', false],
    [{ output: { a: 1 } }, '{"output":{"a":1}}', false],
    [{ error: { code: 3 } }, '{"error":{"code":3}}', true],
    [{ result: 'x' }, '{"result":"x"}', false],
    [{}, '{}', false],
  ])('%j ⇄ %j (error %s)', (response, text, isError) => {
    expect(decodeFunctionResponseObject(response)).toEqual({ text, isError });
    expect(encodeFunctionResponseObject(text, isError)).toEqual(response);
  });
});
