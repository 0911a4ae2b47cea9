import { Page } from '@aigw/contracts';
import { FindOperator, ILike } from 'typeorm';

export function toPage<E, R>([rows, total]: [E[], number], map: (row: E) => R, limit: number, offset: number): Page<R> {
  return { data: rows.map(map), total, limit, offset };
}

/** Case-insensitive substring match with LIKE wildcards in the input escaped. */
export function contains(text: string): FindOperator<string> {
  return ILike(`%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`);
}
