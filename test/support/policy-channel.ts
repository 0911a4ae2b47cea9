import { PolicyChannel } from '@aigw/contracts';

/** A channel of `type` as the policy holds it, for adaptor specs: enabled, no models or headers, the fields given replaced. */
export function testChannel(type: string, fields: Partial<PolicyChannel> = {}): PolicyChannel {
  return {
    id: `${type}-1`,
    name: type,
    type,
    baseUrl: '',
    key: null,
    headers: {},
    models: [],
    modelMapping: {},
    priority: 0,
    weight: 1,
    region: null,
    status: 'enabled',
    settings: {},
    ...fields,
  };
}
