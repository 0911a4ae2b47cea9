import { SpoolFiles } from './usage-spool-files';
import { AckState, describe } from './usage-spool-format';

const noop = () => undefined;

/**
 * The spool's acknowledged position on disk (ack.json): written at most once
 * per `delayMs` — acknowledgements in between share the next write, which
 * persists the latest position — then the segments it fully covers are
 * deleted. Writes go through the spool's disk queue (`enqueue`), one disk
 * operation at a time.
 */
export class AckWriter {
  /** The write requested and not started yet: later requests share it. */
  private queued: Promise<void> | null = null;
  /** Starts the waiting write at once (close). */
  private startNow: (() => void) | null = null;
  /** When the last write started (Date.now()). */
  private writtenAt = 0;
  private persisted = 0;
  /** The last ack.json failure not yet overcome (write or segment deletion). */
  error: string | null = null;

  constructor(
    private readonly files: Pick<SpoolFiles<unknown>, 'persistAck' | 'deleteThrough'>,
    private readonly delayMs: number,
    private readonly enqueue: (task: () => Promise<void>) => Promise<void>,
    private readonly position: () => AckState,
  ) {}

  /** The position read from disk at open; an unreadable ack.json is reported until the next write. */
  restored(ack: number, readable: boolean): void {
    this.persisted = ack;
    if (!readable) this.error = 'ack.json is unreadable; every record on disk will be sent again';
  }

  /** Settles once the position as of the write's start is on disk (and covered segments deleted); rejects if the write failed. */
  request(): Promise<void> {
    if (this.queued) return this.queued;
    const wait = this.writtenAt + this.delayMs - Date.now();
    if (wait <= 0) {
      this.queued = this.enqueue(() => this.write());
      return this.queued;
    }
    this.queued = new Promise<void>((resolve) => {
      const start = () => {
        clearTimeout(timer);
        this.startNow = null;
        resolve();
      };
      const timer = setTimeout(start, wait);
      timer.unref();
      this.startNow = start;
    }).then(() => this.enqueue(() => this.write()));
    return this.queued;
  }

  /** The write in progress or waiting, if any. */
  pending(): Promise<void> {
    return this.queued ?? Promise.resolve();
  }

  /** A waiting write starts now; resolves once it is done (whatever its outcome). */
  async flushNow(): Promise<void> {
    this.startNow?.();
    await this.queued?.catch(noop);
  }

  private async write(): Promise<void> {
    this.queued = null;
    this.writtenAt = Date.now();
    const state = this.position();
    try {
      if (state.ack > this.persisted) {
        await this.files.persistAck(state);
        this.persisted = state.ack;
      }
      this.error = null;
    } catch (error) {
      this.error = describe(error);
      throw error;
    }
    try {
      await this.files.deleteThrough(this.persisted);
    } catch (error) {
      this.error = describe(error);
    }
  }
}
