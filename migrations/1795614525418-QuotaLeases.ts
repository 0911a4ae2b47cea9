import { MigrationInterface, QueryRunner } from 'typeorm';

export class QuotaLeases1795614525418 implements MigrationInterface {
  name = 'QuotaLeases1795614525418';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "quota_leases" ("agent_id" uuid NOT NULL, "subject" character varying(40) NOT NULL, "outstanding_micros" bigint NOT NULL DEFAULT '0', "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_5159cbb8588579aa4bf05132c88" PRIMARY KEY ("agent_id", "subject"))`);
    await queryRunner.query(`CREATE INDEX "IDX_5c4182e7bd4f6d398391e40fb1" ON "quota_leases"  ("subject") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_5c4182e7bd4f6d398391e40fb1"`);
    await queryRunner.query(`DROP TABLE "quota_leases"`);
  }
}
