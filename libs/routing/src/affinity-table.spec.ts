import { describe, expect, it } from 'vitest';
import { AffinityTable } from './affinity-table';

describe('AffinityTable', () => {
  it('pins, repins and reads', () => {
    const table = new AffinityTable({}, () => 0);
    expect(table.get('k')).toBeUndefined();
    table.pin('k', 'a');
    expect(table.get('k')).toBe('a');
    table.pin('k', 'b');
    expect(table.get('k')).toBe('b');
    expect(table.size).toBe(1);
  });

  it('expires a pin ttlMs after it was last set and deletes it on read', () => {
    let time = 0;
    const table = new AffinityTable({ ttlMs: 1_000 }, () => time);
    table.pin('k', 'a');
    time = 999;
    expect(table.get('k')).toBe('a'); // reading does not extend the TTL
    table.pin('j', 'b');
    time = 1_000;
    expect(table.size).toBe(2);
    expect(table.get('k')).toBeUndefined();
    expect(table.size).toBe(1);
    expect(table.get('j')).toBe('b');
    table.pin('j', 'b'); // refresh
    time = 1_998;
    expect(table.get('j')).toBe('b');
  });

  it('evicts the least recently used pin beyond maxEntries; reads count as use', () => {
    const table = new AffinityTable({ maxEntries: 3 }, () => 0);
    table.pin('a', '1');
    table.pin('b', '2');
    table.pin('c', '3');
    expect(table.get('a')).toBe('1'); // now b is the least recently used
    table.pin('d', '4');
    expect(table.size).toBe(3);
    expect(table.get('b')).toBeUndefined();
    expect(table.get('c')).toBe('3');
    table.pin('a', '9'); // refresh → d is now the least recently used
    table.pin('e', '5');
    expect(table.get('d')).toBeUndefined();
    expect([table.get('a'), table.get('c'), table.get('e')]).toEqual(['9', '3', '5']);
  });

  it('forgets a pin, or only when it points at the given channel', () => {
    const table = new AffinityTable({}, () => 0);
    table.pin('k', 'a');
    table.forget('k', 'b');
    expect(table.get('k')).toBe('a');
    table.forget('k', 'a');
    expect(table.get('k')).toBeUndefined();
    table.pin('k', 'a');
    table.forget('k');
    expect(table.get('k')).toBeUndefined();
    expect(table.size).toBe(0);
    table.forget('missing');
  });

  it('rejects invalid options', () => {
    expect(() => new AffinityTable({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => new AffinityTable({ ttlMs: 0 })).toThrow(RangeError);
  });
});
