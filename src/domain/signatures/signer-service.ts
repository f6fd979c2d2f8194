// Signers: an admin enrols the holder of an API key as a signer; the person sets their own
// signing password (with their key), revises it before it expires, and may not repeat recent
// ones. An admin resets a lost password or unlocks a locked signer, each a new record with its
// reason. A signer is never deleted or given to someone else (21 CFR 11.100(a), 11.300).
import type { PrismaClient, Role } from '../../generated/prisma/client.ts';
import type { RequestContext } from '../shared/context.ts';
import { DomainError, invalidState, notFound, ruleViolation } from '../shared/errors.ts';
import { pageOf, pageWindow, type PageQuery } from '../shared/pagination.ts';
import type { RunCommand } from '../shared/transaction.ts';
import { keyStatus } from '../auth/key-lifetimes.ts';
import { hashPassword, verifyPassword } from './password-hash.ts';
import { currentPassword, keyLineage, signerOfKey } from './signer-identity.ts';
import { signerInclude, signerView } from './signer-views.ts';
import type { Signing } from './signing.ts';
import type { SigningSettings } from './signing-rules.ts';

const DAY_MS = 86_400_000;

/** Roles that record signed decisions; an auditor writes nothing, so signs nothing. */
export const SIGNING_ROLES: readonly Role[] = ['admin', 'quality', 'coordinator', 'clinician'];

export interface NewSigner {
  apiKeyId: string;
  printedName?: string;
}

export interface PasswordChange {
  newPassword: string;
  currentPassword?: string;
}

interface Deps {
  prisma: PrismaClient;
  runCommand: RunCommand;
  signing: SigningSettings;
  signingChecks: Signing;
}

export function createSignerService({ prisma, runCommand, signing, signingChecks }: Deps) {
  async function view(id: string) {
    const row = await prisma.signer.findUnique({ where: { id }, include: signerInclude });
    if (!row) throw notFound('Signer', id);
    return signerView(row);
  }

  async function enrol(ctx: RequestContext, input: NewSigner) {
    return runCommand(ctx, async ({ tx, audit, now }) => {
      const key = await tx.apiKey.findUnique({ where: { id: input.apiKeyId } });
      if (!key) throw notFound('API key', input.apiKeyId);
      if (!SIGNING_ROLES.includes(key.role)) {
        throw ruleViolation(`The ${key.role} role records no decisions, so its holder signs none.`, { field: 'apiKeyId' });
      }
      const status = keyStatus(key, now);
      if (status !== 'active') throw invalidState(`API key ${key.id} is ${status}: enrol the holder's active key.`, status);
      const existing = await tx.signer.findFirst({ where: { apiKeyId: { in: await keyLineage(tx, key.id) } }, select: { id: true } });
      if (existing) {
        throw new DomainError('conflict', `The holder of API key ${key.id} is already enrolled as signer ${existing.id}; a signing identity is never issued twice.`, {
          existingId: existing.id,
        });
      }
      const signer = await tx.signer.create({ data: { apiKeyId: key.id, printedName: input.printedName ?? key.holderName, createdBy: ctx.actor.keyId } });
      await audit({ action: 'signer.enrolled', entityType: 'signer', entityId: signer.id, after: signer });
      return signerView({ ...signer, apiKey: key, passwords: [] }, now);
    });
  }

  /** The person sets or revises their own signing password; never someone else's. */
  async function setPassword(ctx: RequestContext, id: string, input: PasswordChange) {
    const mine = ctx.actor.keyId ? await signerOfKey(prisma, ctx.actor.keyId) : null;
    if (!mine || mine.id !== id) {
      if (!(await prisma.signer.findUnique({ where: { id }, select: { id: true } }))) throw notFound('Signer', id);
      throw new DomainError('forbidden', 'A signing password is set only by its signer, with the API key the signer was enrolled for (or its successor).', { rule: 'own_password_only' });
    }
    if (input.newPassword.length < signing.passwordMinLength) {
      throw ruleViolation(`A signing password has at least ${signing.passwordMinLength} characters (SIGNING_PASSWORD_MIN_LENGTH).`, { field: 'newPassword' });
    }
    const current = await currentPassword(prisma, id);
    if (current?.hash) {
      if (input.currentPassword === undefined) throw ruleViolation('Changing a signing password needs the current one (currentPassword).', { field: 'currentPassword' });
      await signingChecks.checkPassword(ctx, id, input.currentPassword, 'password_change');
    } else if (mine.lockedAt) {
      await signingChecks.checkPassword(ctx, id, '', 'password_change');
    }
    const history = await prisma.signerPassword.findMany({ where: { signerId: id, hash: { not: null } }, orderBy: [{ setAt: 'desc' }, { id: 'desc' }], take: signing.passwordHistory });
    for (const earlier of history) {
      if (await verifyPassword(input.newPassword, earlier.hash!)) {
        throw ruleViolation(`A new signing password may not repeat any of the last ${signing.passwordHistory} (SIGNING_PASSWORD_HISTORY).`, { field: 'newPassword' });
      }
    }
    const hash = await hashPassword(input.newPassword, signing.scryptLogN);
    return runCommand(ctx, async ({ tx, audit, now }) => {
      const inForce = await currentPassword(tx, id);
      if (inForce?.id !== current?.id) throw new DomainError('conflict', 'The signing password changed meanwhile: try again.');
      const row = await tx.signerPassword.create({
        data: { signerId: id, hash, setAt: now, expiresAt: new Date(now.getTime() + signing.passwordMaxAgeDays * DAY_MS), setBy: ctx.actor.keyId },
      });
      // Never the hash: the trail says that and when, not what.
      await audit({ action: 'signer.password_set', entityType: 'signer', entityId: id, after: { passwordId: row.id, setAt: row.setAt, expiresAt: row.expiresAt } });
      const signer = await tx.signer.findUniqueOrThrow({ where: { id }, include: signerInclude });
      return signerView(signer, now);
    });
  }

  /** A lost or exposed password (11.300(c)): the signer must set a new one before signing again. */
  async function resetPassword(ctx: RequestContext, id: string, reason: string) {
    return runCommand(ctx, async ({ tx, audit, now }) => {
      if (!(await tx.signer.findUnique({ where: { id }, select: { id: true } }))) throw notFound('Signer', id);
      const row = await tx.signerPassword.create({ data: { signerId: id, hash: null, setAt: now, expiresAt: null, setBy: ctx.actor.keyId } });
      await audit({ action: 'signer.password_reset', entityType: 'signer', entityId: id, after: { passwordId: row.id, setAt: now }, reason });
      return signerView(await tx.signer.findUniqueOrThrow({ where: { id }, include: signerInclude }), now);
    });
  }

  async function unlock(ctx: RequestContext, id: string, reason: string) {
    const mine = ctx.actor.keyId ? await signerOfKey(prisma, ctx.actor.keyId) : null;
    if (mine?.id === id) throw new DomainError('forbidden', 'A signer is unlocked by another admin, never by themself.', { rule: 'segregation_of_duties' });
    return runCommand(ctx, async ({ tx, audit, now }) => {
      const signer = await tx.signer.findUnique({ where: { id } });
      if (!signer) throw notFound('Signer', id);
      const { count } = await tx.signer.updateMany({ where: { id, lockedAt: { not: null } }, data: { lockedAt: null, failedAttempts: 0 } });
      if (count !== 1) throw invalidState(`Signer ${id} is not locked.`, 'not_locked');
      const record = await tx.signerUnlock.create({ data: { signerId: id, unlockedAt: now, unlockedBy: ctx.actor.keyId, reason } });
      await audit({
        action: 'signer.unlocked',
        entityType: 'signer',
        entityId: id,
        before: { lockedAt: signer.lockedAt, failedAttempts: signer.failedAttempts },
        after: { lockedAt: null, failedAttempts: 0, unlockId: record.id },
        reason,
      });
      return signerView(await tx.signer.findUniqueOrThrow({ where: { id }, include: signerInclude }), now);
    });
  }

  async function list(query: PageQuery & { apiKeyId?: string }) {
    const where = query.apiKeyId ? { apiKeyId: { in: await keyLineage(prisma, query.apiKeyId) } } : {};
    const rows = await prisma.signer.findMany({ where, include: signerInclude, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], ...pageWindow(query) });
    const page = pageOf(rows, query.limit);
    const now = new Date();
    return { items: page.items.map((row) => signerView(row, now)), nextCursor: page.nextCursor };
  }

  return { enrol, setPassword, resetPassword, unlock, get: view, list };
}

export type SignerService = ReturnType<typeof createSignerService>;
