import { AppConfig } from '@aigw/config';
import { Client } from 'pg';
import { DataSource, DataSourceOptions, MigrationInterface } from 'typeorm';
import { EmbeddedPostgres } from './embedded-postgres';
import { ENTITIES } from './entities';
import { SnakeNamingStrategy } from './snake-naming.strategy';

type MigrationClass = new () => MigrationInterface;

export interface DatabaseOptions {
  /** null: embedded PGlite under dataDir. */
  url: string | null;
  dataDir: string;
  migrations: MigrationClass[];
  /** Run pending migrations on open (default true). */
  migrate?: boolean;
  poolSize?: number;
}

/** Arbitrary but fixed: serialises migrations when several masters start together. */
const MIGRATION_LOCK_KEY = 7_140_814_001;

/**
 * The database of the master: Postgres at a URL, or PGlite embedded in the
 * process. Opens the TypeORM DataSource and runs migrations — the only way
 * the schema changes (`synchronize` is never on).
 */
export class Database {
  private constructor(
    readonly dataSource: DataSource,
    private readonly embedded: EmbeddedPostgres | null,
  ) {}

  static fromConfig(config: AppConfig, migrations: MigrationClass[]): Promise<Database> {
    return Database.open({ url: config.databaseUrl, dataDir: config.dataDir, migrations });
  }

  static async open(options: DatabaseOptions): Promise<Database> {
    const embedded = options.url === null ? await EmbeddedPostgres.start(options.dataDir) : null;
    try {
      const dataSource = new DataSource(dataSourceOptions(options, embedded));
      await dataSource.initialize();
      const database = new Database(dataSource, embedded);
      if (options.migrate !== false) await database.migrate();
      return database;
    } catch (error) {
      await embedded?.stop();
      throw error;
    }
  }

  get isEmbedded(): boolean {
    return this.embedded !== null;
  }

  /** Applies pending migrations; on Postgres under an advisory lock held on a separate session. */
  async migrate(): Promise<string[]> {
    if (this.embedded) {
      return (await this.dataSource.runMigrations({ transaction: 'each' })).map((migration) => migration.name);
    }
    // A separate session: the pool's connections run the migrations themselves.
    const options = this.dataSource.options as { url: string };
    const lock = new Client({ connectionString: options.url });
    await lock.connect();
    try {
      await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      return (await this.dataSource.runMigrations({ transaction: 'each' })).map((migration) => migration.name);
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      await lock.end();
    }
  }

  async revertAll(): Promise<void> {
    while ((await this.appliedCount()) > 0) {
      await this.dataSource.undoLastMigration({ transaction: 'each' });
    }
  }

  async appliedCount(): Promise<number> {
    const table = await this.dataSource.query(`SELECT to_regclass('public.migrations') AS name`);
    if (!table[0].name) return 0;
    const [{ count }] = await this.dataSource.query('SELECT count(*)::int AS count FROM migrations');
    return count;
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.embedded?.stop();
  }
}

function dataSourceOptions(options: DatabaseOptions, embedded: EmbeddedPostgres | null): DataSourceOptions {
  const common = {
    type: 'postgres' as const,
    entities: ENTITIES,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    logging: false,
    // gen_random_uuid() is built into Postgres 13+ (and PGlite): no extension to install.
    uuidExtension: 'pgcrypto' as const,
    installExtensions: false,
  };
  if (embedded) {
    // PGlite serves one session; a second pooled connection would wait forever.
    const { host, port, user, database } = embedded.connection;
    return { ...common, host, port, username: user, database, poolSize: 1, extra: { max: 1 } };
  }
  return { ...common, url: options.url!, poolSize: options.poolSize ?? 10 };
}
