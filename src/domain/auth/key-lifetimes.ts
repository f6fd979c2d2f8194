// How long an API key lives, and what state a key is in at a given instant. Every key expires;
// a rotated key keeps working beside its successor until its grace period ends, then is refused.
import type { Config } from '../../config.ts';

export interface KeyLifetimes {
  /** Lifetime of a new key that does not ask for less (API_KEY_DEFAULT_TTL_DAYS). */
  defaultTtlDays: number;
  /** The longest lifetime any key may have (API_KEY_MAX_TTL_DAYS). */
  maxTtlDays: number;
  /** How long a rotated key keeps working (API_KEY_ROTATION_GRACE_SECONDS). */
  rotationGraceSeconds: number;
}

export const DEFAULT_KEY_LIFETIMES: KeyLifetimes = { defaultTtlDays: 90, maxTtlDays: 365, rotationGraceSeconds: 86_400 };

export const keyLifetimes = (config: Config): KeyLifetimes => ({
  defaultTtlDays: config.API_KEY_DEFAULT_TTL_DAYS,
  maxTtlDays: config.API_KEY_MAX_TTL_DAYS,
  rotationGraceSeconds: config.API_KEY_ROTATION_GRACE_SECONDS,
});

const DAY_MS = 86_400_000;

export const defaultExpiry = (lifetimes: KeyLifetimes, now: Date) => new Date(now.getTime() + lifetimes.defaultTtlDays * DAY_MS);
export const latestExpiry = (lifetimes: KeyLifetimes, now: Date) => new Date(now.getTime() + lifetimes.maxTtlDays * DAY_MS);

export type KeyStatus = 'active' | 'rotating' | 'rotated' | 'expired' | 'revoked';

export interface KeyValidity {
  revokedAt: Date | null;
  expiresAt: Date;
  graceEndsAt: Date | null;
}

/** The instant after which the key is refused, whatever happens: its expiry or the end of its grace period. */
export const validUntil = (key: KeyValidity): Date =>
  key.graceEndsAt && key.graceEndsAt < key.expiresAt ? key.graceEndsAt : key.expiresAt;

export function keyStatus(key: KeyValidity, now: Date): KeyStatus {
  if (key.revokedAt) return 'revoked';
  if (key.graceEndsAt && key.graceEndsAt <= now) return 'rotated';
  if (key.expiresAt <= now) return 'expired';
  return key.graceEndsAt ? 'rotating' : 'active';
}

/** Whether the key authenticates at `now`: not revoked, not expired, not past its rotation grace. */
export const keyWorks = (key: KeyValidity, now: Date) => key.revokedAt === null && validUntil(key) > now;
