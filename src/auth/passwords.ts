// Password hashing: the only place a password is hashed or checked (argon2id); a hash that cannot be
// read fails the check instead of throwing.
import argon2 from "argon2";

/** argon2id, the OWASP-recommended password hash; memory cost comes from config. */
export class PasswordHasher {
  constructor(private readonly memoryCostKiB: number) {}

  hash(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id, memoryCost: this.memoryCostKiB, timeCost: 2 });
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }
}
