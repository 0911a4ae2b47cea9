import { AppConfig } from '@aigw/config';
import { ApiErrorCode } from '@aigw/contracts';
import { UserEntity } from '@aigw/persistence';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ApiException } from '../common/api.exception';
import { PasswordService } from '../services/password.service';
import { JWT_AUDIENCE, JWT_ISSUER } from './jwt.strategy';
import { LoginLimiterService } from './login-limiter.service';
import { JwtClaims } from './principal';

export interface LoginResult {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly config: AppConfig,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly passwords: PasswordService,
    private readonly jwt: JwtService,
    private readonly limiter: LoginLimiterService,
  ) {}

  async login(username: string, password: string, ip: string): Promise<LoginResult> {
    const wait = await this.limiter.blockedFor(username, ip);
    if (wait > 0) throw new RateLimitedException(wait);
    const user = await this.users.findOne({
      where: { username },
      select: { id: true, username: true, role: true, status: true, passwordHash: true },
    });
    const valid = await this.passwords.verify(user?.passwordHash ?? null, password);
    if (!user || !valid || user.status !== 'active') {
      await this.limiter.recordFailure(username, ip);
      throw new ApiException(ApiErrorCode.Unauthenticated, 'invalid username or password');
    }
    await this.limiter.recordSuccess(username, ip);
    const claims: JwtClaims = { sub: user.id, username: user.username, role: user.role };
    const accessToken = await this.jwt.signAsync(claims, {
      secret: this.config.jwtSecret,
      expiresIn: this.config.jwtTtlSeconds,
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      algorithm: 'HS256',
    });
    return { access_token: accessToken, token_type: 'Bearer', expires_in: this.config.jwtTtlSeconds };
  }
}

export class RateLimitedException extends ApiException {
  constructor(readonly retryAfterSeconds: number) {
    super(ApiErrorCode.RateLimited, `too many failed logins; try again in ${retryAfterSeconds} s`, undefined, {
      'retry-after': String(retryAfterSeconds),
    });
  }
}
