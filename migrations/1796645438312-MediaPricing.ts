import { MigrationInterface, QueryRunner } from 'typeorm';

/** Unit prices for the images, audio and rerank endpoints, and the units each usage row counted. */
export class MediaPricing1796645438312 implements MigrationInterface {
  name = 'MediaPricing1796645438312';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "models" ADD "image_price_micros" bigint`);
    await queryRunner.query(`ALTER TABLE "models" ADD "audio_second_price_micros" bigint`);
    await queryRunner.query(`ALTER TABLE "models" ADD "character_price_micros" bigint`);
    await queryRunner.query(`ALTER TABLE "models" ADD "search_unit_price_micros" bigint`);
    await queryRunner.query(`ALTER TABLE "usage_logs" ADD "images" integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE "usage_logs" ADD "audio_ms" integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE "usage_logs" ADD "characters" integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE "usage_logs" ADD "search_units" integer NOT NULL DEFAULT 0`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "usage_logs" DROP COLUMN "search_units"`);
    await queryRunner.query(`ALTER TABLE "usage_logs" DROP COLUMN "characters"`);
    await queryRunner.query(`ALTER TABLE "usage_logs" DROP COLUMN "audio_ms"`);
    await queryRunner.query(`ALTER TABLE "usage_logs" DROP COLUMN "images"`);
    await queryRunner.query(`ALTER TABLE "models" DROP COLUMN "search_unit_price_micros"`);
    await queryRunner.query(`ALTER TABLE "models" DROP COLUMN "character_price_micros"`);
    await queryRunner.query(`ALTER TABLE "models" DROP COLUMN "audio_second_price_micros"`);
    await queryRunner.query(`ALTER TABLE "models" DROP COLUMN "image_price_micros"`);
  }
}
