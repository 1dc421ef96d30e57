/**
 * Opaque tokens (refresh and password-reset) and password hashes.
 *
 * Opaque tokens are 32 random bytes, base64url (43 characters); only their SHA-256 (hex) is stored,
 * so a leaked table cannot be replayed. Passwords are bcrypt through Bun.password at the configured
 * cost (Bun pre-hashes inputs over bcrypt's 72-byte limit, so long passwords are not truncated).
 */
import { timingSafeEqual } from "node:crypto";

export const opaqueTokenBytes = 32;

export function newOpaqueToken(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(opaqueTokenBytes))).toString("base64url");
}

export function hashToken(token: string): string {
  return new Bun.CryptoHasher("sha256").update(token).digest("hex");
}

/** Equal hashes, in time independent of where they differ. */
export function sameHash(left: string, right: string): boolean {
  const a = Buffer.from(left, "utf8");
  const b = Buffer.from(right, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /**
   * Verifies against the stored hash, or against a dummy hash of the same cost when there is no
   * user, so an unknown e-mail costs the same time as a wrong password.
   */
  verify(password: string, storedHash: string | null): Promise<boolean>;
}

export function createPasswordHasher(cost: number): PasswordHasher {
  let dummy: Promise<string> | undefined;
  const hash = (password: string) => Bun.password.hash(password, { algorithm: "bcrypt", cost });
  return {
    hash,
    async verify(password, storedHash) {
      if (storedHash === null) {
        dummy ??= hash(newOpaqueToken());
        await Bun.password.verify(password, await dummy, "bcrypt");
        return false;
      }
      try {
        return await Bun.password.verify(password, storedHash, "bcrypt");
      } catch {
        return false;
      }
    },
  };
}
