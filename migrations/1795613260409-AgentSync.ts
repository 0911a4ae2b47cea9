import { MigrationInterface, QueryRunner } from 'typeorm';

/** Advisory lock key the change log's writers serialize on. */
const POLICY_LOCK = 7_321_000_001;

/** Synced tables: change-log entity name, and the columns whose changes agents do not need. */
const SYNCED: Array<[table: string, entity: string, ignored: string[]]> = [
  ['api_tokens', 'token', ['last_used_at', 'updated_at', 'name', 'key_hint']],
  ['users', 'user', ['updated_at', 'password_hash', 'username']],
  ['groups', 'group', ['updated_at', 'name', 'description']],
  ['channels', 'channel', ['updated_at', 'status_reason', 'key_hint', 'header_names']],
  ['models', 'model', ['updated_at', 'description']],
  ['model_routes', 'route', ['updated_at']],
];

export class AgentSync1795613260409 implements MigrationInterface {
  name = 'AgentSync1795613260409';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "policy_changes" ("version" BIGSERIAL NOT NULL, "entity" character varying(16) NOT NULL, "entity_id" uuid NOT NULL, "op" character varying(8) NOT NULL, "changed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_88b58cf81d5ade468492f6d8211" PRIMARY KEY ("version"))`);
    await queryRunner.query(`CREATE INDEX "IDX_e0050c2ab46850161a201039e4" ON "policy_changes"  ("changed_at") `);
    await queryRunner.query(`ALTER TABLE "agents" ADD "sync_key_ciphertext" text`);
    await queryRunner.query(`ALTER TABLE "agents" ADD "revoked_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "agents" ADD "enrollment_token_id" uuid`);
    await queryRunner.query(`ALTER TABLE "agents" ADD "connected_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "agents" ADD "stats" jsonb NOT NULL DEFAULT '{}'`);
    // Request ids up to 128 characters (a remote agent's are `<agent id>.<uuid>`), widened in place: no row is rewritten or lost.
    await queryRunner.query(`ALTER TABLE "usage_logs" ALTER COLUMN "request_id" TYPE character varying(128)`);
    await queryRunner.query(`ALTER TABLE "balance_ledger" ALTER COLUMN "request_id" TYPE character varying(128)`);
    // Every committed change to a synced table appends to the change log in the writer's transaction
    // (docs/sync-protocol.md). Writers serialize on one advisory lock taken before the version is drawn,
    // so versions commit in order: a reader that sees version N has seen every version below N.
    // Settlement's spend updates (flagged with aigw.settlement) and bookkeeping columns are not changes.
    await queryRunner.query(`CREATE FUNCTION aigw_log_policy_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  ignored text[] := TG_ARGV[1:TG_NARGS - 1];
  changed bigint;
BEGIN
  IF current_setting('aigw.settlement', true) = 'on' THEN RETURN NULL; END IF;
  IF TG_OP = 'UPDATE' AND (to_jsonb(OLD) - ignored) = (to_jsonb(NEW) - ignored) THEN RETURN NULL; END IF;
  PERFORM pg_advisory_xact_lock(${POLICY_LOCK});
  INSERT INTO policy_changes (entity, entity_id, op)
    VALUES (TG_ARGV[0], CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END, TG_OP)
    RETURNING version INTO changed;
  PERFORM pg_notify('aigw_policy', changed::text);
  RETURN NULL;
END
$fn$`);
    for (const [table, entity, ignored] of SYNCED) {
      const args = [entity, ...ignored].map((value) => `'${value}'`).join(', ');
      await queryRunner.query(
        `CREATE TRIGGER "aigw_policy_change" AFTER INSERT OR UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION aigw_log_policy_change(${args})`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [table] of SYNCED) await queryRunner.query(`DROP TRIGGER "aigw_policy_change" ON "${table}"`);
    await queryRunner.query(`DROP FUNCTION aigw_log_policy_change()`);
    await queryRunner.query(`ALTER TABLE "balance_ledger" ALTER COLUMN "request_id" TYPE character varying(64)`);
    await queryRunner.query(`ALTER TABLE "usage_logs" ALTER COLUMN "request_id" TYPE character varying(64)`);
    await queryRunner.query(`ALTER TABLE "agents" DROP COLUMN "stats"`);
    await queryRunner.query(`ALTER TABLE "agents" DROP COLUMN "connected_at"`);
    await queryRunner.query(`ALTER TABLE "agents" DROP COLUMN "enrollment_token_id"`);
    await queryRunner.query(`ALTER TABLE "agents" DROP COLUMN "revoked_at"`);
    await queryRunner.query(`ALTER TABLE "agents" DROP COLUMN "sync_key_ciphertext"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_e0050c2ab46850161a201039e4"`);
    await queryRunner.query(`DROP TABLE "policy_changes"`);
  }
}
