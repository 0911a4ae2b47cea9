import { describe, expect, it } from 'vitest';
import { InProcessJobQueue } from './in-process-job-queue';
import { JobProcessor, PermanentJobError } from './job-queue';

/** A real processor whose first `failures` calls throw. */
class FlakyRollup implements JobProcessor<'rollup-daily'> {
  readonly name = 'rollup-daily' as const;
  readonly seen: string[] = [];
  constructor(private failures: number) {}
  async process({ day }: { day: string }): Promise<void> {
    this.seen.push(day);
    if (day === 'never') throw new PermanentJobError('bad day');
    if (this.failures-- > 0) throw new Error('transient');
  }
}

describe('InProcessJobQueue', () => {
  it('retries a transient failure with backoff until it succeeds', async () => {
    const processor = new FlakyRollup(1);
    const queue = new InProcessJobQueue([processor]);
    await (await queue.enqueue('rollup-daily', { day: '2026-01-01' })).finished();
    expect(processor.seen).toEqual(['2026-01-01', '2026-01-01']);
    await queue.close();
  });

  it('deduplicates by job id while pending and after completion, like BullMQ', async () => {
    const processor = new FlakyRollup(0);
    const queue = new InProcessJobQueue([processor]);
    const first = await queue.enqueue('rollup-daily', { day: 'a' }, { jobId: 'same' });
    const second = await queue.enqueue('rollup-daily', { day: 'a' }, { jobId: 'same' });
    await Promise.all([first.finished(), second.finished()]);
    await (await queue.enqueue('rollup-daily', { day: 'a' }, { jobId: 'same' })).finished();
    expect(processor.seen).toEqual(['a']);
    await (await queue.enqueue('rollup-daily', { day: 'b' }, { jobId: 'other' })).finished();
    expect(processor.seen).toEqual(['a', 'b']);
    await queue.close();
  });

  it('fails a permanent error at once and counts it', async () => {
    const processor = new FlakyRollup(0);
    const queue = new InProcessJobQueue([processor]);
    await expect((await queue.enqueue('rollup-daily', { day: 'never' })).finished()).rejects.toThrow('bad day');
    expect(processor.seen).toEqual(['never']);
    expect(await queue.health()).toMatchObject({ kind: 'in-process', failed: 1, waiting: 0 });
    await queue.close();
  });

  it('copies the payload, so a caller mutating it later changes nothing', async () => {
    const processor = new FlakyRollup(0);
    const queue = new InProcessJobQueue([processor]);
    const payload = { day: 'original' };
    const handle = await queue.enqueue('rollup-daily', payload);
    payload.day = 'mutated';
    await handle.finished();
    expect(processor.seen).toEqual(['original']);
    await queue.close();
  });
});
