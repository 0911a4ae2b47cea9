import { ValueTransformer } from 'typeorm';

/** pg returns bigint as a string; money and counters stay within 2^53. */
export const bigintTransformer: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => {
    if (value === null || value === undefined) return value;
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed)) throw new Error(`bigint ${value} exceeds the safe integer range`);
    return parsed;
  },
};
