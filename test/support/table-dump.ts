import { DataSource } from 'typeorm';

/** Every row of every application table, as JSON text per table (for secret scans and state comparisons). */
export async function dumpTables(dataSource: DataSource, options: { omitColumns?: string[] } = {}): Promise<Record<string, unknown[]>> {
  const tables: { table_name: string }[] = await dataSource.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const dump: Record<string, unknown[]> = {};
  for (const { table_name: table } of tables) {
    const rows: Record<string, unknown>[] = await dataSource.query(`SELECT * FROM "${table}" ORDER BY 1`);
    dump[table] = rows.map((row) =>
      Object.fromEntries(Object.entries(row).filter(([column]) => !options.omitColumns?.includes(column))),
    );
  }
  return dump;
}
