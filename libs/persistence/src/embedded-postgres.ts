import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SOCKET_PORT = 5432;
/** sun_path is 108 bytes on Linux; leave room for `/.s.PGSQL.5432`. */
const MAX_SOCKET_DIR = 90;

/**
 * PGlite (Postgres compiled to WASM) persisted under `<dataDir>/pgdata`,
 * served over a Unix socket in a 0700 directory so the ordinary `pg` driver —
 * the same code path as a real Postgres — talks to it. PGlite runs one
 * session: the pool in front of it must have exactly one connection.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly database: PGlite,
    private readonly server: PGLiteSocketServer,
    readonly socketDir: string,
  ) {}

  static async start(dataDir: string): Promise<EmbeddedPostgres> {
    const pgdata = join(dataDir, 'pgdata');
    mkdirSync(pgdata, { recursive: true, mode: 0o700 });
    const socketDir = socketDirectoryFor(dataDir);
    mkdirSync(socketDir, { recursive: true, mode: 0o700 });
    chmodSync(socketDir, 0o700);
    const socketPath = join(socketDir, `.s.PGSQL.${SOCKET_PORT}`);
    rmSync(socketPath, { force: true });

    const database = await PGlite.create(pgdata);
    const server = new PGLiteSocketServer({ db: database, path: socketPath });
    await server.start();
    return new EmbeddedPostgres(database, server, socketDir);
  }

  /** Options for the `pg` driver (TypeORM `extra`, or `new pg.Client`). */
  get connection(): { host: string; port: number; user: string; database: string } {
    return { host: this.socketDir, port: SOCKET_PORT, user: 'postgres', database: 'postgres' };
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.database.close();
  }
}

function socketDirectoryFor(dataDir: string): string {
  const preferred = join(dataDir, 'run');
  if (preferred.length <= MAX_SOCKET_DIR) return preferred;
  const digest = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  return join(tmpdir(), `aigw-${digest}`);
}
