import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, maskChannelKey, maskSecret } from './api-key.util';
import { SecretCipher, SecretDecryptionError } from './secret-cipher';

describe('SecretCipher', () => {
  const key = randomBytes(32);

  it('round-trips, never contains the plaintext, and differs per seal', () => {
    const cipher = new SecretCipher(key);
    const a = cipher.seal('sk-upstream-secret', 'channel-1');
    const b = cipher.seal('sk-upstream-secret', 'channel-1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('sk-upstream-secret');
    expect(a.startsWith(`v1.${cipher.currentKeyId}.`)).toBe(true);
    expect(cipher.open(a, 'channel-1')).toBe('sk-upstream-secret');
  });

  it('binds the ciphertext to its context', () => {
    const cipher = new SecretCipher(key);
    expect(() => cipher.open(cipher.seal('x', 'channel-1'), 'channel-2')).toThrow(SecretDecryptionError);
  });

  it('detects tampering', () => {
    const cipher = new SecretCipher(key);
    const parts = cipher.seal('secret', 'c').split('.');
    parts[4] = Buffer.from('forged').toString('base64url');
    expect(() => cipher.open(parts.join('.'), 'c')).toThrow(SecretDecryptionError);
  });

  it('rotates: a new key still opens values sealed under a previous one', () => {
    const old = new SecretCipher(key);
    const sealed = old.seal('secret', 'c');
    const rotated = new SecretCipher(randomBytes(32), [key]);
    expect(rotated.currentKeyId).not.toBe(old.currentKeyId);
    expect(rotated.open(sealed, 'c')).toBe('secret');
    expect(rotated.keyIdOf(rotated.seal('secret', 'c'))).toBe(rotated.currentKeyId);
    expect(() => new SecretCipher(randomBytes(32)).open(sealed, 'c')).toThrow(/no key with id/);
  });
});

describe('API keys', () => {
  it('are sk-aigw- with 256 bits, hashed with SHA-256 and masked for display', () => {
    const key = generateApiKey();
    expect(key).toMatch(/^sk-aigw-[A-Za-z0-9_-]{43}$/);
    expect(hashApiKey(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const masked = maskSecret(key);
    expect(masked).toBe(`${key.slice(0, 12)}…${key.slice(-4)}`);
    expect(maskSecret('sk-proj-abcdefghijklmnop')).toBe('sk-pro…mnop');
  });
});

describe('channel key hints', () => {
  it('name a JSON credential by its public half, never by characters of the secret', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const aws = maskChannelKey(JSON.stringify({ access_key_id: 'AKIAIOSFODNN7EXAMPLE', secret_access_key: secret }));
    expect(aws).toBe('aws:AKIAIO…MPLE');
    const google = maskChannelKey(JSON.stringify({ type: 'service_account', client_email: 'relay@project.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n' }));
    expect(google).toBe('sa:relay@project');
    const long = maskChannelKey(JSON.stringify({ client_email: 'a-very-long-service-account-name@a-long-project-id.iam.gserviceaccount.com', private_key: 'x' }));
    expect(long).toBe('sa:a-very-long-service-account-…');
    expect(long.length).toBeLessThanOrEqual(32);
    for (const hint of [aws, google, maskChannelKey('{"not": "a credential", "secret": "abcdef"}'), maskChannelKey('{broken')]) {
      expect(hint).not.toMatch(/EXAMPLEKEY|KEY-----|abcdef|broken/);
    }
    expect(maskChannelKey('sk-proj-abcdefghijklmnop')).toBe('sk-pro…mnop');
  });
});
