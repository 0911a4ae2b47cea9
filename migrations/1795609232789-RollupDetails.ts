import { MigrationInterface, QueryRunner } from 'typeorm';

export class RollupDetails1795609232789 implements MigrationInterface {
  name = 'RollupDetails1795609232789';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "daily_rollups" ADD "cache_write_tokens" bigint NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "daily_rollups" ADD "reasoning_tokens" bigint NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "daily_rollups" ADD "latency_p50_ms" integer`);
    await queryRunner.query(`ALTER TABLE "daily_rollups" ADD "latency_p95_ms" integer`);
    await queryRunner.query(`ALTER TABLE "daily_rollups" ADD "first_token_p50_ms" integer`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "daily_rollups" DROP COLUMN "first_token_p50_ms"`);
    await queryRunner.query(`ALTER TABLE "daily_rollups" DROP COLUMN "latency_p95_ms"`);
    await queryRunner.query(`ALTER TABLE "daily_rollups" DROP COLUMN "latency_p50_ms"`);
    await queryRunner.query(`ALTER TABLE "daily_rollups" DROP COLUMN "reasoning_tokens"`);
    await queryRunner.query(`ALTER TABLE "daily_rollups" DROP COLUMN "cache_write_tokens"`);
  }
}
