import { AppConfig } from '@aigw/config';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import IORedis from 'ioredis';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/** Failed logins allowed per username+IP, and per IP, in a window. */
export const LOGIN_LIMITS = { perUserAndIp: 5, perIp: 30, windowSeconds: 15 * 60 };

/**
 * Counts failed logins with rate-limiter-flexible: in Redis when configured
 * (shared by every master), falling back to process memory while Redis is
 * unreachable; in memory otherwise. A success resets the username+IP count.
 */
@Injectable()
export class LoginLimiterService implements OnApplicationShutdown {
  private readonly byUserAndIp: RateLimiterAbstract;
  private readonly byIp: RateLimiterAbstract;
  private readonly redis: IORedis | null;

  constructor(config: AppConfig) {
    this.redis = config.redisUrl
      ? new IORedis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false })
      : null;
    this.redis?.on('error', () => undefined);
    const make = (points: number, keyPrefix: string): RateLimiterAbstract => {
      const options = { points, duration: LOGIN_LIMITS.windowSeconds, keyPrefix: `${config.redisPrefix}:${keyPrefix}` };
      return this.redis
        ? new RateLimiterRedis({ ...options, storeClient: this.redis, insuranceLimiter: new RateLimiterMemory(options) })
        : new RateLimiterMemory(options);
    };
    this.byUserAndIp = make(LOGIN_LIMITS.perUserAndIp, 'login-user-ip');
    this.byIp = make(LOGIN_LIMITS.perIp, 'login-ip');
  }

  /** Seconds until another attempt is allowed, or 0 when allowed now. */
  async blockedFor(username: string, ip: string): Promise<number> {
    const [user, address] = await Promise.all([this.byUserAndIp.get(`${username}:${ip}`), this.byIp.get(ip)]);
    const wait = (result: RateLimiterRes | null, limit: number) =>
      result && result.consumedPoints >= limit ? Math.ceil(result.msBeforeNext / 1000) : 0;
    return Math.max(wait(user, LOGIN_LIMITS.perUserAndIp), wait(address, LOGIN_LIMITS.perIp));
  }

  async recordFailure(username: string, ip: string): Promise<void> {
    await Promise.all([
      this.byUserAndIp.penalty(`${username}:${ip}`, 1),
      this.byIp.penalty(ip, 1),
    ]);
  }

  async recordSuccess(username: string, ip: string): Promise<void> {
    await this.byUserAndIp.delete(`${username}:${ip}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}
