import { describe, expect, it } from 'vitest';
import { MoneyFormatError, microsToUsd, usdToMicros } from './money';

describe('money', () => {
  it.each([
    [0, 0],
    [1, 1_000_000],
    [0.4, 400_000],
    [1.6, 1_600_000],
    [0.1, 100_000],
    ['0.000001', 1],
    ['100', 100_000_000],
    ['-1.5', -1_500_000],
    [1234.567891, 1_234_567_891],
  ])('usdToMicros(%j) = %d exactly', (usd, micros) => {
    expect(usdToMicros(usd)).toBe(micros);
  });

  it.each([['0.0000001'], [1e-7], ['abc'], ['1.2.3'], [Number.NaN], [Number.POSITIVE_INFINITY], ['1e3'], ['99999999999999']])(
    'refuses %j instead of rounding',
    (value) => {
      expect(() => usdToMicros(value as number | string)).toThrow(MoneyFormatError);
    },
  );

  it('formats micros as a fixed 6-decimal USD string', () => {
    expect(microsToUsd(0)).toBe('0.000000');
    expect(microsToUsd(400_000)).toBe('0.400000');
    expect(microsToUsd(-1_500_001)).toBe('-1.500001');
    expect(microsToUsd(100_000_000)).toBe('100.000000');
  });
});
