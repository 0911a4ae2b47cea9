import { AppConfig } from '@aigw/config';
import { Role } from '@aigw/contracts';
import { UserEntity } from '@aigw/persistence';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { Repository } from 'typeorm';
import { AuditService } from './audit.service';
import { PasswordService } from './password.service';
import { ADMIN_USERNAME } from './users.service';

/**
 * Creates the built-in `admin` on first start. Its password comes from
 * `admin_password` / AIGW_ADMIN_PASSWORD, or is generated and printed once to
 * the terminal (never to the JSON log); later starts leave it alone.
 */
@Injectable()
export class AdminSeedService {
  private readonly logger = new Logger(AdminSeedService.name);

  constructor(
    private readonly config: AppConfig,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly passwords: PasswordService,
    private readonly audit: AuditService,
  ) {}

  async ensureAdmin(print: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<boolean> {
    if (await this.users.existsBy({ username: ADMIN_USERNAME })) return false;
    const generated = this.config.adminPassword === null;
    const password = this.config.adminPassword ?? randomBytes(18).toString('base64url');
    const admin = await this.users.save(
      this.users.create({
        username: ADMIN_USERNAME,
        passwordHash: await this.passwords.hash(password),
        role: Role.Admin,
        status: 'active',
        balanceMicros: 0,
      }),
    );
    await this.audit.record({ id: null, username: 'system' }, 'create', 'user', admin.id, { username: ADMIN_USERNAME });
    this.logger.log({ msg: 'created the built-in admin user', generatedPassword: generated });
    if (generated) {
      print('');
      print('  Initial admin login (shown once; change it after logging in):');
      print(`    username: ${ADMIN_USERNAME}`);
      print(`    password: ${password}`);
      print('');
    }
    return true;
  }
}
