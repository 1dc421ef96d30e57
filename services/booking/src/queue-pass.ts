/**
 * Queue passes: what the waiting room gives an admitted buyer, sent back as `X-Queue-Pass` on
 * reserve. An HS256 JWT naming the buyer (sub), the event (evt) and the pass (jti, the id
 * queue-admit.lua gave it), expiring with the pass. Verified here without any store; whether it is
 * still the buyer's live pass (not freed by a purchase, a cancellation or its expiry) is reserve.lua's
 * one HGET. Signed with its own secret (QUEUE_PASS_SECRET), never the access tokens' key, so
 * neither kind of token can pass for the other.
 */
import { jwtVerify, SignJWT } from "jose";

const algorithm = "HS256";

export interface QueuePassClaims {
  userId: string;
  eventId: string;
  passId: string;
  /** Unix ms the pass expires at (the JWT's exp is the second before it, so it never outlives the pass). */
  expiresAtMs: number;
}

export interface QueuePasses {
  sign(claims: QueuePassClaims): Promise<string>;
  /** The pass id when `token` is a valid pass of this buyer for this event, else '' (reserve.lua refuses it then). */
  verifiedPassId(token: string, userId: string, eventId: string): Promise<string>;
}

export function createQueuePasses(secret: string): QueuePasses {
  const key = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
  return {
    async sign({ userId, eventId, passId, expiresAtMs }) {
      const expires = Math.floor(expiresAtMs / 1000);
      // No iat: the same pass always signs to the same token (a stream sends it once, not per read).
      return new SignJWT({ evt: eventId })
        .setProtectedHeader({ alg: algorithm, typ: "JWT" })
        .setSubject(userId)
        .setJti(passId)
        .setExpirationTime(expires)
        .sign(await key);
    },
    async verifiedPassId(token, userId, eventId) {
      try {
        const { payload } = await jwtVerify(token, await key, { algorithms: [algorithm], requiredClaims: ["sub", "jti", "exp", "evt"] });
        if (payload.sub !== userId || payload.evt !== eventId || typeof payload.jti !== "string" || payload.jti === "") return "";
        return payload.jti;
      } catch {
        return "";
      }
    },
  };
}

/** Where no pass secret is configured (a process that never serves a buyer): no pass is valid. */
export const refuseEveryPass: QueuePasses = {
  sign: () => Promise.reject(new Error("no QUEUE_PASS_SECRET in this process")),
  verifiedPassId: async () => "",
};
