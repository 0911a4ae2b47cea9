/**
 * Money is an integer count of micro-units: 1 USD = 1,000,000 micros.
 * Conversions from decimal input are exact (string arithmetic, no float
 * multiplication); more than six decimals is an error, never a silent round.
 */
export const MICROS_PER_USD = 1_000_000;

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

export class MoneyFormatError extends Error {}

export function usdToMicros(value: number | string): number {
  const text = typeof value === 'number' ? numberToPlainString(value) : value.trim();
  const match = DECIMAL.exec(text);
  if (!match) throw new MoneyFormatError(`"${value}" is not a decimal amount`);
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > 6) throw new MoneyFormatError(`"${value}" has more than 6 decimal places`);
  const micros = BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, '0'));
  if (micros > BigInt(Number.MAX_SAFE_INTEGER)) throw new MoneyFormatError(`"${value}" is too large`);
  return Number(sign ? -micros : micros);
}

export function microsToUsd(micros: number): string {
  const negative = micros < 0;
  const absolute = BigInt(Math.abs(micros));
  const whole = absolute / 1_000_000n;
  const fraction = (absolute % 1_000_000n).toString().padStart(6, '0');
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

function numberToPlainString(value: number): string {
  if (!Number.isFinite(value)) throw new MoneyFormatError(`${value} is not a finite amount`);
  // Shortest round-trip representation; exponent forms (1e-7, 1e21) are out of range for money.
  const text = String(value);
  if (/e/i.test(text)) throw new MoneyFormatError(`${value} is out of range`);
  return text;
}
