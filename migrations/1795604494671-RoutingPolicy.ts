import { MigrationInterface, QueryRunner } from 'typeorm';

export class RoutingPolicy1795604494671 implements MigrationInterface {
  name = 'RoutingPolicy1795604494671';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "groups" ADD "models" text array`);
    await queryRunner.query(`ALTER TABLE "groups" ADD "channels" uuid array`);
    await queryRunner.query(`ALTER TABLE "api_tokens" ADD "channels" uuid array`);
    await queryRunner.query(`ALTER TABLE "api_tokens" ADD "debug" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "channels" ADD "settings" jsonb NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`ALTER TABLE "models" ADD "routing" jsonb NOT NULL DEFAULT '{}'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "models" DROP COLUMN "routing"`);
    await queryRunner.query(`ALTER TABLE "channels" DROP COLUMN "settings"`);
    await queryRunner.query(`ALTER TABLE "api_tokens" DROP COLUMN "debug"`);
    await queryRunner.query(`ALTER TABLE "api_tokens" DROP COLUMN "channels"`);
    await queryRunner.query(`ALTER TABLE "groups" DROP COLUMN "channels"`);
    await queryRunner.query(`ALTER TABLE "groups" DROP COLUMN "models"`);
  }
}
