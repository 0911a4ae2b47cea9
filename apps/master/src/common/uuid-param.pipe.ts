import { ParseUUIDPipe } from '@nestjs/common';
import { ApiException } from './api.exception';

/** A malformed id cannot name anything: 404, the same answer as a missing one. */
export const UUID_PARAM = new ParseUUIDPipe({ exceptionFactory: () => ApiException.notFound('resource') });
