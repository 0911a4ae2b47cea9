import { randomBytes } from 'node:crypto';

/**
 * Ids for output items the gateway writes itself (the answer came from
 * another protocol). Same prefixes and alphabet as OpenAI's (`msg_`, `fc_`,
 * `rs_`, `resp_` + hex), so clients that pattern-match ids keep working.
 */
export type ResponsesIdPrefix = 'resp' | 'msg' | 'fc' | 'rs';

export function generateResponsesId(prefix: ResponsesIdPrefix): string {
  return `${prefix}_${randomBytes(24).toString('hex')}`;
}

/** A response id for the client: the upstream id when it already is one, else a prefixed form of it. */
export function toResponseId(id: string): string {
  if (id.startsWith('resp_')) return id;
  const safe = id.replace(/[^A-Za-z0-9]/g, '');
  return safe ? `resp_${safe}` : generateResponsesId('resp');
}
