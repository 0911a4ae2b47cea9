import { SecretCipher, maskChannelKey } from '@aigw/config';
import { ChannelEntity } from '@aigw/persistence';

/** Sealed key columns for a channel; the ciphertext is bound to the channel id. */
export function sealChannelKey(cipher: SecretCipher, channelId: string, key: string): Partial<ChannelEntity> {
  return { keyCiphertext: cipher.seal(key, channelId), keyId: cipher.currentKeyId, keyHint: maskChannelKey(key) };
}

/** Sealed header map; names stay readable for the admin API. */
export function sealChannelHeaders(cipher: SecretCipher, channelId: string, headers: Record<string, string>): Partial<ChannelEntity> {
  const names = Object.keys(headers).sort();
  return {
    headersCiphertext: names.length > 0 ? cipher.seal(JSON.stringify(headers), `${channelId}:headers`) : null,
    headerNames: names,
  };
}

export function openChannelHeaders(cipher: SecretCipher, channel: Pick<ChannelEntity, 'id' | 'headersCiphertext'>): Record<string, string> {
  return channel.headersCiphertext ? JSON.parse(cipher.open(channel.headersCiphertext, `${channel.id}:headers`)) : {};
}
