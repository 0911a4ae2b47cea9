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

/** `2027-01-01` or a full ISO-8601 timestamp. */
export function IsDateOnlyOrTimestamp(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isDateOnlyOrTimestamp',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'must be a date (YYYY-MM-DD) or an ISO-8601 timestamp', ...options },
      validator: {
        validate(value: unknown) {
          return (
            typeof value === 'string' &&
            /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) &&
            !Number.isNaN(Date.parse(value))
          );
        },
      },
    });
}
