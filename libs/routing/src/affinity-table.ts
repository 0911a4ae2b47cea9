/** Tuning of an {@link AffinityTable}. */
export interface AffinityTableOptions {
  /** Pins kept at most; the least recently used goes first (default 100 000). */
  maxEntries?: number;
  /** How long a pin lives after it was last set (default 1 h). */
  ttlMs?: number;
}

interface Pin {
  channelId: string;
  expiresAt: number;
}

/**
 * Sticky routing: which channel a key (a conversation, a prompt-cache prefix…)
 * was last served by, so follow-up requests can prefer it. Keys are opaque
 * strings, already hashed and namespaced by the caller.
 *
 * Bounded LRU with a TTL: a pin expires `ttlMs` after it was last `pin`ned
 * (reading does not extend it); beyond `maxEntries` the least recently used
 * pin (read or set) is evicted. Recency is the Map's insertion order (delete +
 * set on every touch), so every operation is O(1).
 */
export class AffinityTable {
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly pins = new Map<string, Pin>();

  constructor(options: AffinityTableOptions = {}, private readonly now: () => number = Date.now) {
    this.maxEntries = options.maxEntries ?? 100_000;
    this.ttlMs = options.ttlMs ?? 3_600_000;
    if (!(Number.isInteger(this.maxEntries) && this.maxEntries > 0)) throw new RangeError(`maxEntries must be a positive integer, got ${this.maxEntries}`);
    if (!(this.ttlMs > 0)) throw new RangeError(`ttlMs must be positive, got ${this.ttlMs}`);
  }

  /** The channel pinned for `key`; undefined when there is none or it expired (an expired pin is deleted). Marks the pin as recently used. */
  get(key: string): string | undefined {
    const pin = this.pins.get(key);
    if (!pin) return undefined;
    this.pins.delete(key);
    if (this.now() >= pin.expiresAt) return undefined;
    this.pins.set(key, pin);
    return pin.channelId;
  }

  /** Pins `key` to `channelId`, or refreshes the pin (new TTL, most recently used); evicts the least recently used pins beyond maxEntries. */
  pin(key: string, channelId: string): void {
    this.pins.delete(key);
    this.pins.set(key, { channelId, expiresAt: this.now() + this.ttlMs });
    for (const oldest of this.pins.keys()) {
      if (this.pins.size <= this.maxEntries) break;
      this.pins.delete(oldest);
    }
  }

  /** Removes the pin of `key`; when `channelId` is given, only if the pin points at that channel (e.g. it just failed). */
  forget(key: string, channelId?: string): void {
    if (channelId === undefined || this.pins.get(key)?.channelId === channelId) this.pins.delete(key);
  }

  /** Pins held, including expired ones not read since they expired. */
  get size(): number {
    return this.pins.size;
  }
}
