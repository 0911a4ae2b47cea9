import { describe, expect, it } from 'vitest';
import { isoTimestamp } from './relay-usage.util';

describe('isoTimestamp', () => {
  it('equals Date#toISOString for every millisecond of a second, across seconds, days and years', () => {
    const starts = [Date.UTC(2026, 11, 7, 14, 35, 12), Date.UTC(1999, 11, 31, 23, 59, 59), 0, Date.UTC(2028, 1, 29, 0, 0, 0)];
    for (const start of starts) {
      for (let ms = start - 3; ms < start + 1_003; ms += 1) expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
    }
    // Back and forth between cached seconds, and a time before 1970.
    for (const ms of [starts[0] + 5, starts[1] + 999, starts[0] + 1_010, -1, -1_001]) expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
  });

  it('falls back to Date for years past 9999 (six-digit years)', () => {
    const ms = Date.UTC(10_000, 0, 1, 0, 0, 0, 7);
    expect(isoTimestamp(ms)).toBe('+010000-01-01T00:00:00.007Z');
  });
});
