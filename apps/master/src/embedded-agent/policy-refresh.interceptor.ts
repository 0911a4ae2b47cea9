import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { Observable, mergeMap } from 'rxjs';
import { EmbeddedSyncClient } from './embedded-sync.client';

/** After a successful admin write (committed by then), the embedded agent reloads its policy before the answer goes out. */
@Injectable()
export class PolicyRefreshInterceptor implements NestInterceptor {
  constructor(private readonly loader: EmbeddedSyncClient) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const writes = request.method !== 'GET' && request.url.startsWith('/api/') && !request.url.startsWith('/api/auth/');
    if (!writes) return next.handle();
    return next.handle().pipe(
      mergeMap(async (value) => {
        await this.loader.refresh();
        return value;
      }),
    );
  }
}
