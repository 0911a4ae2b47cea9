import { MigrationInterface, QueryRunner } from 'typeorm';

export class ClientRequestId1795617608894 implements MigrationInterface {
  name = 'ClientRequestId1795617608894';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "usage_logs" ADD "client_request_id" character varying(128)`);
    await queryRunner.query(`CREATE INDEX "ix_usage_logs_client_request" ON "usage_logs"  ("client_request_id") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_usage_logs_client_request"`);
    await queryRunner.query(`ALTER TABLE "usage_logs" DROP COLUMN "client_request_id"`);
  }
}
