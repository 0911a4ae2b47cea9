export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `inlineData` → `inline_data`. */
export function toSnakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/**
 * A field by its camelCase name or its proto snake_case twin (the Gemini API
 * accepts both: Google's curl examples write `system_instruction`,
 * `inline_data`, `mime_type`). JSON null counts as absent, as proto-JSON does.
 */
export function readField(record: JsonRecord, camelName: string): unknown {
  const value = record[camelName] ?? record[toSnakeCase(camelName)];
  return value === null ? undefined : value;
}

/** Whether the record carries the field under either spelling (null = absent). */
export function hasField(record: JsonRecord, camelName: string): boolean {
  return readField(record, camelName) !== undefined;
}

/** The record's keys in camelCase (to compare against lists of known fields). */
export function camelKeys(record: JsonRecord): string[] {
  return Object.keys(record)
    .filter((key) => record[key] !== null && record[key] !== undefined)
    .map((key) => key.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase()));
}
