import { DataSource } from 'typeorm';

/**
 * The SQL TypeORM would run to make the schema match the entities. Empty
 * after all migrations ran means migrations and entities agree.
 */
export async function pendingSchemaChanges(dataSource: DataSource): Promise<{ up: string[]; down: string[] }> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return {
    up: sql.upQueries.map((query) => query.query),
    down: sql.downQueries.map((query) => query.query),
  };
}
