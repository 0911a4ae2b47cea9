import { MoneyFormatError, usdToMicros } from '@aigw/contracts';
import { ValidationOptions, registerDecorator } from 'class-validator';

/** A non-negative USD amount with at most six decimals (number or decimal string). */
export function IsUsd(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isUsd',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'must be a non-negative USD amount with at most 6 decimals', ...options },
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'number' && typeof value !== 'string') return false;
          try {
            return usdToMicros(value) >= 0;
          } catch (error) {
            if (error instanceof MoneyFormatError) return false;
            throw error;
          }
        },
      },
    });
}

/** A plain object whose values are all strings. */
export function IsStringRecord(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isStringRecord',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'must be a map of strings to strings', ...options },
      validator: {
        validate(value: unknown) {
          return (
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value) &&
            Object.entries(value).every(([key, entry]) => key.length > 0 && typeof entry === 'string')
          );
        },
      },
    });
}

const DATE_OR_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** A real calendar date (no February 30th: JavaScript would roll it over silently), optionally with a time. */
export function isCalendarDate(value: unknown, allowTime = true): boolean {
  if (typeof value !== 'string') return false;
  const match = DATE_OR_TIMESTAMP.exec(value);
  if (!match || (!allowTime && match[4] !== undefined)) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  const validDay = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  const validTime = match[4] === undefined || (Number(match[4]) < 24 && Number(match[5]) < 60 && Number(match[6] ?? 0) < 60);
  return validDay && validTime && !Number.isNaN(Date.parse(value));
}

/** `YYYY-MM-DD`, a real day. */
export function IsCalendarDay(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCalendarDay',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'must be a real date as YYYY-MM-DD', ...options },
      validator: { validate: (value: unknown) => isCalendarDate(value, false) },
    });
}

/** `2027-01-01` or a full ISO-8601 timestamp, a real calendar date either way. */
export function IsDateOnlyOrTimestamp(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isDateOnlyOrTimestamp',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'must be a date (YYYY-MM-DD) or an ISO-8601 timestamp', ...options },
      validator: {
        validate: (value: unknown) => isCalendarDate(value),
      },
    });
}
