// Password hashing: the only place a password is hashed or checked (argon2id); a hash that cannot be
// read fails the check instead of throwing. Each hash or check holds PASSWORD_HASH_MEMORY_KIB of
// memory while it runs, so at most PASSWORD_HASH_CONCURRENCY run at once per process: a sign-up or
// log-in storm queues for the CPU it needs anyway instead of holding a buffer per waiting request.
import argon2 from "argon2";
import pLimit, { type Limit } from "p-limit";

/** argon2id, the OWASP-recommended password hash; memory cost and concurrency come from config. */
export class PasswordHasher {
  private readonly slots: Limit;

  constructor(
    private readonly memoryCostKiB: number,
    concurrency: number,
  ) {
    this.slots = pLimit(concurrency);
  }

  hash(password: string): Promise<string> {
    return this.slots(() => argon2.hash(password, { type: argon2.argon2id, memoryCost: this.memoryCostKiB, timeCost: 2 }));
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await this.slots(() => argon2.verify(hash, password));
    } catch {
      return false;
    }
  }
}
