// How a notice is signed, so that a receiver can check it came from this service, unchanged and
// recently: HMAC-SHA256 with the facility's shared secret over "<timestamp>.<body>", where the
// timestamp is Unix seconds, sent as
//   X-Allograft-Timestamp: 1795583000
//   X-Allograft-Signature: v1=<64 hex characters>
//   X-Allograft-Notice-Id: <notice id>   (the same on every retry: deduplicate on it)
// A receiver recomputes the HMAC over the raw body, compares in constant time, and refuses a
// timestamp more than five minutes from its clock (a replay).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-allograft-signature';
export const TIMESTAMP_HEADER = 'x-allograft-timestamp';
export const NOTICE_ID_HEADER = 'x-allograft-notice-id';

export const sign = (secret: string, timestamp: string, body: string) => `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;

/** What a receiver does: true when the signature is ours and the timestamp within `toleranceSeconds`. */
export function verifySignature(secret: string, headers: { timestamp: string; signature: string }, body: string, now = Date.now(), toleranceSeconds = 300): boolean {
  const expected = Buffer.from(sign(secret, headers.timestamp, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given) && Math.abs(now / 1000 - Number(headers.timestamp)) <= toleranceSeconds;
}

/** Shown and audited instead of the secret. */
export const secretFingerprint = (secret: string) => `sha256:${createHash('sha256').update(secret).digest('hex').slice(0, 16)}`;
