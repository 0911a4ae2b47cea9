import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

/** argon2id with the library's defaults (m=64 MiB, t=3, p=4). */
@Injectable()
export class PasswordService {
  private dummyHash: Promise<string> | null = null;

  hash(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id });
  }

  async verify(hash: string | null, password: string): Promise<boolean> {
    // Verify against a dummy hash for unknown users so timing does not reveal which usernames exist.
    this.dummyHash ??= this.hash('dummy-password-for-timing');
    const target = hash ?? (await this.dummyHash);
    try {
      const valid = await argon2.verify(target, password);
      return valid && hash !== null;
    } catch {
      return false;
    }
  }
}
