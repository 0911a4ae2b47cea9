import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';

export class SecretDecryptionError extends Error {
  override readonly name = 'SecretDecryptionError';
}

/**
 * AES-256-GCM for secrets at rest (channel keys). A sealed value is
 * `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts): the key id lets an
 * operator rotate `secret_key` and keep the old one in `previous_secret_keys`
 * until every value has been re-sealed. `context` (e.g. the channel id) is
 * bound as additional authenticated data so a ciphertext cannot be moved to
 * another row.
 */
export class SecretCipher {
  private readonly keys = new Map<string, Buffer>();
  readonly currentKeyId: string;

  constructor(
    private readonly currentKey: Buffer,
    previousKeys: Buffer[] = [],
  ) {
    if (currentKey.length !== 32) throw new Error('secret key must be 32 bytes');
    this.currentKeyId = keyId(currentKey);
    for (const key of [currentKey, ...previousKeys]) this.keys.set(keyId(key), key);
  }

  seal(plaintext: string, context = ''): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.currentKey, iv);
    cipher.setAAD(Buffer.from(context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.currentKeyId, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  open(sealed: string, context = ''): string {
    const [version, id, iv, tag, ciphertext] = sealed.split('.');
    if (version !== VERSION || ciphertext === undefined) throw new SecretDecryptionError('unknown sealed format');
    const key = this.keys.get(id);
    if (!key) throw new SecretDecryptionError(`no key with id ${id}; is secret_key or previous_secret_keys missing?`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretDecryptionError('secret does not decrypt under its key');
    }
  }

  keyIdOf(sealed: string): string {
    return sealed.split('.')[1] ?? '';
  }
}

function keyId(key: Buffer): string {
  return createHash('sha256').update('aigw-secret-key-id:').update(key).digest('hex').slice(0, 12);
}
