import { MigrationInterface, QueryRunner } from 'typeorm';

export class RateLimits1795606744977 implements MigrationInterface {
  name = 'RateLimits1795606744977';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "groups" ADD "limits" jsonb NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`ALTER TABLE "users" ADD "limits" jsonb NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`ALTER TABLE "api_tokens" ADD "limits" jsonb NOT NULL DEFAULT '{}'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "api_tokens" DROP COLUMN "limits"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "limits"`);
    await queryRunner.query(`ALTER TABLE "groups" DROP COLUMN "limits"`);
  }
}
