// The password hasher: real argon2id hashes and checks, at most PASSWORD_HASH_CONCURRENCY of them
// running at once (each holds its memory cost while it runs), the rest waiting their turn.
import argon2 from "argon2";
import { PasswordHasher } from "../../src/auth/passwords";

/** Counts argon2 calls under way at once, each still the real argon2. */
function watchArgon2() {
  let running = 0;
  const seen = { most: 0 };
  const counted =
    <A extends unknown[], R>(real: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      seen.most = Math.max(seen.most, ++running);
      try {
        return await real(...args);
      } finally {
        running--;
      }
    };
  const hash = counted(argon2.hash.bind(argon2)) as typeof argon2.hash;
  const verify = counted(argon2.verify.bind(argon2));
  jest.spyOn(argon2, "hash").mockImplementation(hash);
  jest.spyOn(argon2, "verify").mockImplementation(verify);
  return seen;
}

afterEach(() => jest.restoreAllMocks());

test("hashes and checks a password; a wrong one or an unreadable hash fails the check", async () => {
  const hasher = new PasswordHasher(8192, 2);
  const hash = await hasher.hash("correct horse battery");
  expect(hash).toMatch(/^\$argon2id\$v=19\$m=8192,p=\d+,t=2\$/);
  await expect(hasher.verify(hash, "correct horse battery")).resolves.toBe(true);
  await expect(hasher.verify(hash, "wrong horse battery")).resolves.toBe(false);
  await expect(hasher.verify("not a hash", "correct horse battery")).resolves.toBe(false);
});

test("a storm of hashes and checks runs at most `concurrency` at once, and every one completes", async () => {
  const seen = watchArgon2();
  const hasher = new PasswordHasher(8192, 2);
  const hashes = await Promise.all(Array.from({ length: 8 }, (_, i) => hasher.hash(`password number ${i}`)));
  const checks = await Promise.all(hashes.map((h, i) => hasher.verify(h, `password number ${i}`)));
  expect(checks).toEqual(Array(8).fill(true));
  expect(seen.most).toBe(2);
});

test("a concurrency of one runs them one by one", async () => {
  const seen = watchArgon2();
  const hasher = new PasswordHasher(8192, 1);
  await Promise.all(Array.from({ length: 4 }, (_, i) => hasher.hash(`password number ${i}`)));
  expect(seen.most).toBe(1);
});
