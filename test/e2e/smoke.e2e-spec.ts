import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestMaster, startTestMaster } from '../support/test-master';

describe('master smoke', () => {
  let master: TestMaster;
  beforeAll(async () => {
    master = await startTestMaster();
  });
  afterAll(() => master?.close());

  it('answers /ping and /api/health', async () => {
    expect((await master.request('GET', '/ping')).body).toEqual({ status: 'ok' });
    const health = await master.request('GET', '/api/health');
    expect(health.status).toBe(200);
    expect(health.body.info.database.status).toBe('up');
    expect(health.body.info.queue.kind).toBe(master.database.mode === 'postgres' ? 'bullmq' : 'in-process');
  });
});
