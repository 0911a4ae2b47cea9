import { AppConfig } from '@aigw/config';
import { expect } from 'vitest';
import { SdkClients, sdkClients } from './sdk-ask';
import { SettlementWatcher } from './settlement-watcher';
import { StartOptions, TestMaster, startTestMaster } from './test-master';

/** A master whose bootstrap puts channels of one provider family on a fake, with what the family's suites ask of it. */
export interface ChannelHarness {
  master: TestMaster;
  /** The official SDK clients aimed at the gateway with the suite's key. */
  clients: SdkClients;
  settlements: SettlementWatcher;
  /** Channel name → id. */
  channelIds: Record<string, string>;
  /** POST raw JSON to the gateway with the suite's key. */
  post(path: string, body: unknown): Promise<Response>;
  /** The usage record of a request (by its client request id), once settled. */
  usageRow(model: string, requestId: string): Promise<Record<string, unknown> | undefined>;
  close(): Promise<void>;
}

export async function startChannelHarness(options: StartOptions, gatewayKey: string): Promise<ChannelHarness> {
  const master = await startTestMaster(options);
  const settlements = await SettlementWatcher.start(master.master.app.get(AppConfig).redisPrefix);
  const channels = await master.request('GET', '/api/channels?limit=100', { token: master.adminToken });
  return {
    master,
    clients: sdkClients(master.url, gatewayKey),
    settlements,
    channelIds: Object.fromEntries((channels.body.data as Array<{ id: string; name: string }>).map((entry) => [entry.name, entry.id])),
    post: (path, body) =>
      fetch(new URL(path, master.url), { method: 'POST', headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    usageRow: async (model, requestId) => {
      expect(await settlements.outcome(requestId)).toBeNull();
      const rows = await master.request('GET', `/api/usage?model=${model}&limit=500`, { token: master.adminToken });
      return (rows.body.data as Array<Record<string, unknown>>).find((entry) => entry.client_request_id === requestId);
    },
    close: async () => {
      await settlements.close();
      await master.close();
    },
  };
}
