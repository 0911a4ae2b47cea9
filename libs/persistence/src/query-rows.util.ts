/**
 * TypeORM's Postgres `query()` answers `[rows, rowCount]` for UPDATE and
 * DELETE but plain `rows` for SELECT and INSERT; this reads rows from both.
 */
export function queryRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}
