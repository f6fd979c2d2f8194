// API keys: `atk_` + 40 random URL-safe characters. Only a SHA-256 hash is stored (a random
// 240-bit secret needs no slow hash); the first 12 characters are kept in clear to find the row.
// Every key expires (key-lifetimes.ts); rotation issues a successor while the old key keeps
// working for a grace period; lastUsedAt is written at most once a minute per key.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKey, PrismaClient, Role } from '../../generated/prisma/client.ts';
import { DomainError, invalidState, notFound, ruleViolation } from '../shared/errors.ts';
import type { Actor, RequestContext } from '../shared/context.ts';
import type { Command, RunCommand } from '../shared/transaction.ts';
import type { DomainSettings } from '../services.ts';
import { defaultExpiry, keyStatus, keyWorks, latestExpiry, validUntil } from './key-lifetimes.ts';
import { pageOf, pageWindow, type PageQuery } from '../shared/pagination.ts';

export const PREFIX_LENGTH = 12;
/** lastUsedAt is a usage hint: written at most this often per key, so that reads stay reads. */
export const LAST_USED_RESOLUTION_MS = 60_000;
/**
 * An authenticated key is remembered this long, so that a request costs no key lookup. A
 * revocation or rotation takes effect at once on the instance that records it, and on the
 * others at once through NOTIFY on PostgreSQL (API_KEY_CHANNEL), or at the latest after this time.
 */
export const KEY_CACHE_TTL_MS = 5_000;
const KEY_CACHE_MAX_ENTRIES = 10_000;
/** The channel on which a changed key's id is announced to every instance. */
export const API_KEY_CHANNEL = 'api_key_changed';

/** A clinician acts where patients are treated: her key is bound to a clinic or a hospital. */
export const CLINICIAN_FACILITY_KINDS: readonly string[] = ['clinic', 'hospital'];

export const API_KEY_FORMAT = /^atk_[A-Za-z0-9_-]{32,}$/;
export const generateApiKey = () => `atk_${randomBytes(30).toString('base64url')}`;
const hashSecret = (key: string) => createHash('sha256').update(key).digest('hex');
/** The part of a presented key kept in clear: what rate limits and logs may name. */
export const keyPrefixOf = (presented: string) => (API_KEY_FORMAT.test(presented) ? presented.slice(0, PREFIX_LENGTH) : null);

export type Authentication =
  | { actor: Actor; /** After this instant the key is refused (expiry or end of rotation grace). */ validUntil: Date }
  | { refused: 'unknown' | 'revoked' | 'expired' | 'rotated' };

export interface NewApiKey {
  holderName: string;
  role: Role;
  facilityId?: string | null;
  expiresAt?: Date;
}

export interface Rotation {
  reason: string;
  graceSeconds?: number;
}

/** What is shown of a key: never its secret or hash. */
export function describeKey(key: ApiKey, now = new Date()) {
  return {
    id: key.id,
    holderName: key.holderName,
    role: key.role,
    facilityId: key.facilityId,
    prefix: key.prefix,
    status: keyStatus(key, now),
    createdAt: key.createdAt,
    expiresAt: key.expiresAt,
    lastUsedAt: key.lastUsedAt,
    rotatedFromId: key.rotatedFromId,
    rotatedAt: key.rotatedAt,
    graceEndsAt: key.graceEndsAt,
    revokedAt: key.revokedAt,
  };
}

/** What an audit event keeps of a key: what does not change with use (never lastUsedAt or the derived status). */
const auditedKey = (key: ApiKey) => {
  const { status: _s, lastUsedAt: _l, ...rest } = describeKey(key);
  return rest;
};

type Subscribe = (channel: string, handlers: { message(payload: string): void; lost(): void }) => void;
type Authenticated = Extract<Authentication, { actor: Actor }>;

export function createApiKeyService({ prisma, runCommand, settings, subscribe }: { prisma: PrismaClient; runCommand: RunCommand; settings: DomainSettings; subscribe?: Subscribe }) {
  const lifetimes = settings.apiKeys;
  // Keys that authenticated lately, by the SHA-256 of the presented secret (never the secret).
  const cache = new Map<string, { result: Authenticated; keyId: string; until: number }>();
  const forget = (keyId: string) => {
    for (const [hash, entry] of cache) if (entry.keyId === keyId) cache.delete(hash);
  };
  subscribe?.(API_KEY_CHANNEL, { message: forget, lost: () => cache.clear() });
  /** Within the command's transaction: every instance forgets the key once it commits. */
  const announce = (tx: Command['tx'], keyId: string) => tx.$executeRaw`SELECT pg_notify(${API_KEY_CHANNEL}, ${keyId})`;
  // When this instance last wrote lastUsedAt of each key (the database's conditional update
  // keeps several instances to about once a minute too).
  const lastUsedWritten = new Map<string, number>();

  /**
   * The actor a presented key stands for, or why it is refused. Only the holder of the secret
   * learns that the key expired, was rotated out or revoked; anyone else hears "unknown".
   */
  async function authenticate(presented: string, now = Date.now()): Promise<Authentication> {
    const prefix = keyPrefixOf(presented);
    if (!prefix) return { refused: 'unknown' };
    const hash = hashSecret(presented);
    const cached = cache.get(hash);
    if (cached && now < cached.until) return cached.result;
    cache.delete(hash);
    const key = await prisma.apiKey.findUnique({ where: { prefix } });
    if (!key || !timingSafeEqual(Buffer.from(key.secretHash, 'hex'), Buffer.from(hash, 'hex'))) return { refused: 'unknown' };
    const status = keyStatus(key, new Date(now));
    if (status === 'revoked' || status === 'expired' || status === 'rotated') return { refused: status };
    const result = { actor: { keyId: key.id, name: key.holderName, role: key.role, facilityId: key.facilityId }, validUntil: validUntil(key) };
    if (cache.size >= KEY_CACHE_MAX_ENTRIES) cache.delete(cache.keys().next().value!);
    cache.set(hash, { result, keyId: key.id, until: Math.min(now + KEY_CACHE_TTL_MS, result.validUntil.getTime()) });
    return result;
  }

  /** Records that the key was used, at most once a minute per key. */
  async function noteUse(keyId: string, now = new Date()): Promise<void> {
    const last = lastUsedWritten.get(keyId);
    if (last !== undefined && now.getTime() - last < LAST_USED_RESOLUTION_MS) return;
    lastUsedWritten.set(keyId, now.getTime());
    if (lastUsedWritten.size > 100_000) lastUsedWritten.delete(lastUsedWritten.keys().next().value!);
    const before = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
    // A hint, never worth a wait: a key row another transaction holds (a revocation) is skipped.
    await prisma.$executeRaw`
      UPDATE api_key SET last_used_at = ${now}
      WHERE id = (SELECT id FROM api_key WHERE id = ${keyId}::uuid AND (last_used_at IS NULL OR last_used_at < ${before}) FOR UPDATE SKIP LOCKED)`;
  }

  function expiryFor(requested: Date | undefined, now: Date): Date {
    if (!requested) return defaultExpiry(lifetimes, now);
    if (requested <= now) throw ruleViolation('expiresAt must be in the future.', { field: 'expiresAt' });
    const latest = latestExpiry(lifetimes, now);
    if (requested > latest) {
      throw ruleViolation(`A key may live at most ${lifetimes.maxTtlDays} days (API_KEY_MAX_TTL_DAYS): expiresAt must not be after ${latest.toISOString()}.`, { field: 'expiresAt' });
    }
    return requested;
  }

  async function insertKey({ tx, audit, ctx, now }: Command, input: NewApiKey, secret: string, rotatedFromId: string | null = null) {
    if (input.facilityId) {
      const facility = await tx.facility.findUnique({ where: { id: input.facilityId } });
      if (!facility) throw notFound('Facility', input.facilityId);
      if (!CLINICIAN_FACILITY_KINDS.includes(facility.kind)) {
        throw ruleViolation(`A clinician acts where patients are treated (a ${CLINICIAN_FACILITY_KINDS.join(' or ')}); facility ${facility.id} is a ${facility.kind}.`, {
          field: 'facilityId',
        });
      }
    }
    const key = await tx.apiKey.create({
      data: {
        holderName: input.holderName,
        role: input.role,
        facilityId: input.facilityId ?? null,
        prefix: secret.slice(0, PREFIX_LENGTH),
        secretHash: hashSecret(secret),
        createdBy: ctx.actor.keyId,
        expiresAt: expiryFor(input.expiresAt, now),
        rotatedFromId,
      },
    });
    await audit({ action: rotatedFromId ? 'api_key.issued_by_rotation' : 'api_key.created', entityType: 'api_key', entityId: key.id, after: auditedKey(key) });
    return { ...describeKey(key, now), key: secret };
  }

  async function create(ctx: RequestContext, input: NewApiKey) {
    if (input.role === 'clinician' && !input.facilityId) {
      throw ruleViolation('A clinician key must name the facility the clinician acts for.', { field: 'facilityId' });
    }
    // Only a clinician's key is confined to a facility: on any other role the facility would be ignored.
    if (input.role !== 'clinician' && input.facilityId) {
      throw ruleViolation(`Only a clinician key is bound to a facility; a ${input.role} key acts for the whole service.`, { field: 'facilityId' });
    }
    return runCommand(ctx, (command) => insertKey(command, input, generateApiKey()));
  }

  /**
   * A successor for a key: same holder, role and facility, a new secret and a new lifetime. The
   * old key keeps working for the grace period (0: it stops at once, e.g. when it was lost), then
   * is refused. The holder rotates their own key; an admin may rotate anyone's.
   */
  async function rotate(ctx: RequestContext, id: string, input: Rotation) {
    if (ctx.actor.role !== 'admin' && ctx.actor.keyId !== id) {
      throw new DomainError('forbidden', 'A key is rotated by its holder (with that key) or by an admin.', { rule: 'own_key_only' });
    }
    const grace = input.graceSeconds ?? lifetimes.rotationGraceSeconds;
    if (grace > lifetimes.rotationGraceSeconds) {
      throw ruleViolation(`The grace period may not exceed ${lifetimes.rotationGraceSeconds} seconds (API_KEY_ROTATION_GRACE_SECONDS).`, { field: 'graceSeconds' });
    }
    const successor = await runCommand(ctx, async (command) => {
      const { tx, audit, now } = command;
      // Two rotations of one key at once: the second waits, then finds it rotating.
      await tx.$executeRaw`SELECT 1 FROM api_key WHERE id = ${id}::uuid FOR UPDATE`;
      const key = await tx.apiKey.findUnique({ where: { id } });
      if (!key) throw notFound('API key', id);
      const status = keyStatus(key, now);
      if (status !== 'active') throw invalidState(`API key ${id} is ${status}; only an active key can be rotated${status === 'rotating' ? ' (rotate its successor)' : ''}.`, status);
      const graceEnds = new Date(Math.min(now.getTime() + grace * 1000, key.expiresAt.getTime()));
      const rotated = await tx.apiKey.update({ where: { id }, data: { rotatedAt: now, graceEndsAt: graceEnds } });
      await audit({ action: 'api_key.rotated', entityType: 'api_key', entityId: id, before: auditedKey(key), after: auditedKey(rotated), reason: input.reason });
      await announce(tx, id);
      return insertKey(command, { holderName: key.holderName, role: key.role, facilityId: key.facilityId }, generateApiKey(), key.id);
    });
    forget(id);
    return successor;
  }

  async function revoke(ctx: RequestContext, id: string, reason: string) {
    const described = await runCommand(ctx, async ({ tx, audit, now }) => {
      const key = await tx.apiKey.findUnique({ where: { id } });
      if (!key) throw notFound('API key', id);
      if (key.revokedAt) throw new DomainError('invalid_state', `API key ${id} was already revoked.`, { currentStatus: 'revoked' });
      if (key.role === 'admin' && keyWorks(key, now) && !key.graceEndsAt) {
        // Lock every working admin key: two admins revoking each other at once cannot both succeed.
        const active = await tx.$queryRaw<{ id: string }[]>`
          SELECT id FROM api_key
          WHERE role = 'admin' AND revoked_at IS NULL AND expires_at > ${now} AND grace_ends_at IS NULL
          FOR UPDATE`;
        if (active.length <= 1) {
          throw new DomainError('conflict', `API key ${id} is the last active admin key: create another admin key before revoking it, or nobody could manage keys.`, {
            rule: 'last_admin_key',
          });
        }
      }
      const revoked = await tx.apiKey.update({ where: { id }, data: { revokedAt: now, revokedBy: ctx.actor.keyId } });
      await audit({ action: 'api_key.revoked', entityType: 'api_key', entityId: id, before: auditedKey(key), after: auditedKey(revoked), reason });
      await announce(tx, id);
      return describeKey(revoked, now);
    });
    forget(id);
    return described;
  }

  /** Keys in the order they were created, revoked ones too; never their secrets. */
  async function list(query: PageQuery & { role?: Role; facilityId?: string; revoked?: 'true' | 'false' }) {
    const rows = await prisma.apiKey.findMany({
      where: { role: query.role, facilityId: query.facilityId, ...(query.revoked ? { revokedAt: query.revoked === 'true' ? { not: null } : null } : {}) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      ...pageWindow(query),
    });
    const page = pageOf(rows, query.limit);
    const now = new Date();
    return { items: page.items.map((key) => describeKey(key, now)), nextCursor: page.nextCursor };
  }

  /**
   * On first start, with no key at all: install the given admin key, or make one.
   * Returns the secret only when it was generated here, so the caller can show it once.
   */
  async function bootstrapAdmin(ctx: RequestContext, given?: string): Promise<string | null> {
    const secret = given ?? generateApiKey();
    const installed = await runCommand(ctx, async (command) => {
      if ((await command.tx.apiKey.count()) > 0) return false;
      await insertKey(command, { holderName: 'first administrator', role: 'admin' }, secret);
      return true;
    });
    return installed && !given ? secret : null;
  }

  return { authenticate, noteUse, create, rotate, revoke, list, bootstrapAdmin };
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>;
