import { MigrationInterface, QueryRunner } from 'typeorm';

/** Most requests carry no client id: index only those that do (one index write less per usage row). */
export class PartialClientRequestIndex1795621102566 implements MigrationInterface {
  name = 'PartialClientRequestIndex1795621102566';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_usage_logs_client_request"`);
    await queryRunner.query(`CREATE INDEX "ix_usage_logs_client_request" ON "usage_logs" ("client_request_id") WHERE "client_request_id" IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_usage_logs_client_request"`);
    await queryRunner.query(`CREATE INDEX "ix_usage_logs_client_request" ON "usage_logs" ("client_request_id")`);
  }
}
