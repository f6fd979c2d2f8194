// API keys: `atk_` + 40 random URL-safe characters. Only a SHA-256 hash is stored (a random
// 240-bit secret needs no slow hash); the first 12 characters are kept in clear to find the row.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PrismaClient, Role } from '../../generated/prisma/client.ts';
import { DomainError, notFound, ruleViolation } from '../shared/errors.ts';
import type { Actor, RequestContext } from '../shared/context.ts';
import type { Command, RunCommand } from '../shared/transaction.ts';
import { pageOf, pageWindow, type PageQuery } from '../shared/pagination.ts';

const PREFIX_LENGTH = 12;

/** A clinician acts where patients are treated: her key is bound to a clinic or a hospital. */
export const CLINICIAN_FACILITY_KINDS: readonly string[] = ['clinic', 'hospital'];

export const generateApiKey = () => `atk_${randomBytes(30).toString('base64url')}`;
const hashSecret = (key: string) => createHash('sha256').update(key).digest('hex');

export interface NewApiKey {
  holderName: string;
  role: Role;
  facilityId?: string | null;
}

/** What is shown of a key: never its secret or hash. */
export function describeKey(key: { id: string; holderName: string; role: Role; facilityId: string | null; prefix: string; createdAt: Date; revokedAt: Date | null }) {
  return {
    id: key.id,
    holderName: key.holderName,
    role: key.role,
    facilityId: key.facilityId,
    prefix: key.prefix,
    createdAt: key.createdAt,
    revokedAt: key.revokedAt,
  };
}

export function createApiKeyService({ prisma, runCommand }: { prisma: PrismaClient; runCommand: RunCommand }) {
  /** The actor a presented key stands for, or null when it is unknown, malformed or revoked. */
  async function authenticate(presented: string): Promise<Actor | null> {
    if (!/^atk_[A-Za-z0-9_-]{32,}$/.test(presented)) return null;
    const key = await prisma.apiKey.findUnique({ where: { prefix: presented.slice(0, PREFIX_LENGTH) } });
    if (!key || key.revokedAt) return null;
    const expected = Buffer.from(key.secretHash, 'hex');
    const actual = Buffer.from(hashSecret(presented), 'hex');
    if (!timingSafeEqual(expected, actual)) return null;
    return { keyId: key.id, name: key.holderName, role: key.role, facilityId: key.facilityId };
  }

  async function insertKey({ tx, audit, ctx }: Command, input: NewApiKey, secret: string) {
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
      },
    });
    await audit({ action: 'api_key.created', entityType: 'api_key', entityId: key.id, after: describeKey(key) });
    return { ...describeKey(key), key: secret };
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

  async function revoke(ctx: RequestContext, id: string, reason: string) {
    return runCommand(ctx, async ({ tx, audit, now }) => {
      const key = await tx.apiKey.findUnique({ where: { id } });
      if (!key) throw notFound('API key', id);
      if (key.revokedAt) throw new DomainError('invalid_state', `API key ${id} was already revoked.`, { currentStatus: 'revoked' });
      if (key.role === 'admin') {
        // Lock every active admin key: two admins revoking each other at once cannot both succeed.
        const active = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM api_key WHERE role = 'admin' AND revoked_at IS NULL FOR UPDATE`;
        if (active.length <= 1) {
          throw new DomainError('conflict', `API key ${id} is the last active admin key: create another admin key before revoking it, or nobody could manage keys.`, {
            rule: 'last_admin_key',
          });
        }
      }
      const revoked = await tx.apiKey.update({ where: { id }, data: { revokedAt: now, revokedBy: ctx.actor.keyId } });
      await audit({ action: 'api_key.revoked', entityType: 'api_key', entityId: id, before: describeKey(key), after: describeKey(revoked), reason });
      return describeKey(revoked);
    });
  }

  /** Keys in the order they were created, revoked ones too; never their secrets. */
  async function list(query: PageQuery & { role?: Role; facilityId?: string; revoked?: 'true' | 'false' }) {
    const rows = await prisma.apiKey.findMany({
      where: { role: query.role, facilityId: query.facilityId, ...(query.revoked ? { revokedAt: query.revoked === 'true' ? { not: null } : null } : {}) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      ...pageWindow(query),
    });
    const page = pageOf(rows, query.limit);
    return { items: page.items.map(describeKey), nextCursor: page.nextCursor };
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

  return { authenticate, create, revoke, list, bootstrapAdmin };
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>;
