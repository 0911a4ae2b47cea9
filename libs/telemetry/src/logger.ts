import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';

/**
 * Paths pino replaces with "[redacted]" wherever they appear in a log object.
 * Defence in depth: code never logs these on purpose.
 */
const REDACT_PATHS = [
  'password',
  '*.password',
  'key',
  '*.key',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["x-goog-api-key"]',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  '*.headers["x-goog-api-key"]',
];

/** Query parameters that carry credentials (Gemini's `?key=`). */
const SECRET_QUERY = /([?&](?:key|api_key|token|access_token)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[redacted]');
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'aigw' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: {
        err: pino.stdSerializers.err,
        req: (request: { id?: string; method?: string; url?: string; ip?: string }) => ({
          id: request.id,
          method: request.method,
          url: request.url ? redactUrl(request.url) : undefined,
          ip: request.ip,
        }),
        res: (reply: { statusCode?: number }) => ({ status: reply.statusCode }),
      },
    },
    destination,
  );
}

/** Nest's logger interface over pino: one JSON stream for the whole process. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.write('info', message, context);
  }
  error(message: unknown, ...rest: unknown[]): void {
    const context = typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : undefined;
    this.write('error', message, context);
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.write('fatal', message, context);
  }

  private write(level: pino.Level, message: unknown, context?: string): void {
    if (typeof message === 'object' && message !== null) {
      const { msg, ...fields } = message as Record<string, unknown> & { msg?: string };
      this.logger[level]({ context, ...fields }, typeof msg === 'string' ? msg : undefined);
    } else {
      this.logger[level]({ context }, String(message));
    }
  }
}
