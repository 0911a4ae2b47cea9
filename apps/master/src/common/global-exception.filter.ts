import { ApiErrorBody, ApiErrorCode } from '@aigw/contracts';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { QueryFailedError } from 'typeorm';
import { relayErrorResponse } from '../../../agent/src/relay/relay-error.util';
import { ApiException } from './api.exception';

const STATUS_CODES: Record<number, ApiErrorCode> = {
  400: ApiErrorCode.ValidationFailed,
  401: ApiErrorCode.Unauthenticated,
  403: ApiErrorCode.Forbidden,
  404: ApiErrorCode.NotFound,
  409: ApiErrorCode.Conflict,
  429: ApiErrorCode.RateLimited,
  503: ApiErrorCode.Unavailable,
};

/**
 * Known errors keep their status and code; anything else is a plain 500 whose
 * details go to the log only. The body never carries a stack or a secret.
 */
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    // Data-plane URLs answer in their client protocol's error shape.
    const relay = relayErrorResponse(request.url, exception);
    const { status, body } = relay ?? this.toBody(exception, String(request.id));
    if (status >= 500) {
      // Not the raw error: a failed query carries its parameters, which may hold user input.
      const error = exception instanceof Error ? exception : new Error(String(exception));
      this.logger.error({
        msg: 'request failed',
        error: { type: error.constructor.name, message: error.message, code: (error as { code?: string }).code, stack: error.stack },
        requestId: request.id,
        route: request.routeOptions?.url,
      });
    }
    if (exception instanceof ApiException) void reply.headers(exception.headers);
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }

  private toBody(exception: unknown, requestId: string): { status: number; body: ApiErrorBody } {
    const make = (status: number, code: ApiErrorCode, message: string, details?: ApiErrorBody['error']['details']) => ({
      status,
      body: { error: { code, message, ...(details ? { details } : {}) }, request_id: requestId },
    });
    if (exception instanceof ApiException) {
      return make(exception.status, exception.code, exception.message, exception.details);
    }
    if (exception instanceof QueryFailedError) {
      // Safety net behind validation: input the database refuses is the caller's error, not a 500.
      const code = String((exception as { code?: string }).code ?? '');
      if (code === '23505') return make(409, ApiErrorCode.Conflict, 'a record with the same unique value already exists');
      if (code === '23503') return make(409, ApiErrorCode.Conflict, 'a referenced record does not exist or is still referenced');
      if (code === '23502' || code.startsWith('22')) {
        return make(400, ApiErrorCode.ValidationFailed, 'a value is missing, malformed or out of range');
      }
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = STATUS_CODES[status] ?? (status >= 500 ? ApiErrorCode.Internal : ApiErrorCode.ValidationFailed);
      return make(status, code, status >= 500 ? 'internal error' : exception.message);
    }
    // Fastify's own errors (malformed JSON, body too large, wrong content type) carry a 4xx statusCode.
    const statusCode = (exception as { statusCode?: unknown })?.statusCode;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      const message = (exception as Error).message || 'bad request';
      return make(statusCode, STATUS_CODES[statusCode] ?? ApiErrorCode.ValidationFailed, message);
    }
    return make(500, ApiErrorCode.Internal, 'internal error');
  }
}
