// Signing a decision (21 CFR 11.200(a)): the API key that authenticated the request is the first
// component, the signer's own password the second; every signing carries both. The password is
// checked before the decision's transaction (scrypt is slow on purpose: it must not hold the
// write lock); a wrong one is recorded in a transaction of its own, so that it stays recorded
// while the decision is refused, and locks the signer after SIGNER_LOCKOUT_ATTEMPTS in a row.
// Inside the decision's transaction the signature is written with the record it signs.
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { RequestContext } from '../shared/context.ts';
import { DomainError } from '../shared/errors.ts';
import type { Command, RunCommand } from '../shared/transaction.ts';
import { raiseSecurityAlert } from '../security/security-alerts.ts';
import { verifyPassword } from './password-hash.ts';
import { contentHash, signedContent } from './signed-content.ts';
import { currentPassword, signerOfKey } from './signer-identity.ts';
import { SIGNED_RECORD, type DecisionKind, type SigningSettings } from './signing-rules.ts';
import { manifestation } from './signature-views.ts';

export interface SignatureBlock {
  password: string;
  meaning: string;
}

/** A signer whose password was checked, for one decision: spent by sign() in the decision's transaction. */
export interface SigningGrant {
  signerId: string;
  passwordId: string;
  keyId: string;
  kind: DecisionKind;
  meaning: string;
}

export type SignatureRefusal = 'not_a_signer' | 'password_not_set' | 'password_expired' | 'wrong_password' | 'signer_locked' | 'password_changed';

export const signatureRefused = (refusal: SignatureRefusal, message: string, extensions: Record<string, unknown> = {}) =>
  new DomainError('signature_refused', message, { signatureRefusal: refusal, ...extensions });

const lockedMessage = (signerId: string) =>
  `The signer ${signerId} is locked after repeated wrong signing passwords: an admin must unlock it (POST /signers/${signerId}/unlock).`;

interface Deps {
  prisma: PrismaClient;
  runCommand: RunCommand;
  signing: SigningSettings;
}

export function createSigning({ prisma, runCommand, signing }: Deps) {
  /**
   * A wrong password, or an attempt while locked, in a transaction of its own: an audit event,
   * the count of failures in a row, and at the limit the lock, its audit event and an alert.
   * Returns whether the signer is (now) locked.
   */
  async function recordFailure(ctx: RequestContext, signerId: string, purpose: string, refusal: 'wrong_password' | 'signer_locked'): Promise<boolean> {
    return runCommand(ctx, async (command) => {
      const { tx, audit, now } = command;
      const signer = await tx.signer.findUniqueOrThrow({ where: { id: signerId } });
      if (signer.lockedAt) {
        await audit({ action: 'signature.refused', entityType: 'signer', entityId: signerId, after: { purpose, refusal: 'signer_locked' } });
        return true;
      }
      if (refusal === 'signer_locked') return false;
      const failedAttempts = signer.failedAttempts + 1;
      const locks = failedAttempts >= signing.lockoutAttempts;
      await tx.signer.update({ where: { id: signerId }, data: { failedAttempts, ...(locks ? { lockedAt: now } : {}) } });
      await audit({
        action: 'signature.failed',
        entityType: 'signer',
        entityId: signerId,
        before: { failedAttempts: signer.failedAttempts },
        after: { failedAttempts, purpose, refusal: 'wrong_password' },
      });
      if (locks) {
        await audit({ action: 'signer.locked', entityType: 'signer', entityId: signerId, before: { lockedAt: null }, after: { lockedAt: now, failedAttempts } });
        await raiseSecurityAlert(command, {
          kind: 'signer_locked',
          subject: signerId,
          detail: `Signer ${signer.printedName} (${signerId}) was locked after ${failedAttempts} wrong signing passwords in a row; an admin unlocks it with POST /signers/${signerId}/unlock.`,
        });
      }
      return locks;
    });
  }

  /** Checks a password of the signer (for a signing or a password change); a wrong one is recorded and refused. */
  async function checkPassword(ctx: RequestContext, signerId: string, password: string, purpose: string) {
    const signer = await prisma.signer.findUniqueOrThrow({ where: { id: signerId } });
    if (signer.lockedAt) {
      await recordFailure(ctx, signerId, purpose, 'signer_locked');
      throw signatureRefused('signer_locked', lockedMessage(signerId), { signerId });
    }
    const current = await currentPassword(prisma, signerId);
    if (!current?.hash) {
      throw signatureRefused('password_not_set', `The signer ${signerId} has no signing password: set one first (POST /signers/${signerId}/password).`, { signerId });
    }
    if (!(await verifyPassword(password, current.hash))) {
      const locked = await recordFailure(ctx, signerId, purpose, 'wrong_password');
      throw locked
        ? signatureRefused('signer_locked', lockedMessage(signerId), { signerId })
        : signatureRefused('wrong_password', 'The signing password is wrong.', { signerId });
    }
    return current;
  }

  /** Both components: the key's holder is an enrolled signer, and the password is theirs and in force. */
  async function authorise(ctx: RequestContext, kind: DecisionKind, block: SignatureBlock): Promise<SigningGrant> {
    const keyId = ctx.actor.keyId;
    const signer = keyId ? await signerOfKey(prisma, keyId) : null;
    if (!keyId || !signer) {
      throw signatureRefused('not_a_signer', 'The holder of this API key is not enrolled as a signer: an admin enrols signers (POST /signers).');
    }
    const password = await checkPassword(ctx, signer.id, block.password, kind);
    if (password.expiresAt && password.expiresAt <= new Date()) {
      throw signatureRefused('password_expired', `The signing password expired on ${password.expiresAt.toISOString()}: set a new one (POST /signers/${signer.id}/password).`, {
        signerId: signer.id,
      });
    }
    return { signerId: signer.id, passwordId: password.id, keyId, kind, meaning: block.meaning };
  }

  return { authorise, checkPassword, recordFailure };
}

/**
 * Writes the signature of a record inside the decision's command, after the record holds what is
 * signed: the signer as checked is still unlocked with the same password in force.
 */
export async function sign({ tx, audit, now }: Command, grant: SigningGrant, recordId: string) {
  const signer = await tx.signer.findUniqueOrThrow({ where: { id: grant.signerId } });
  if (signer.lockedAt) throw signatureRefused('signer_locked', lockedMessage(signer.id), { signerId: signer.id });
  const password = await currentPassword(tx, signer.id);
  if (password?.id !== grant.passwordId) {
    throw signatureRefused('password_changed', 'The signing password changed while this decision was being signed: sign again.', { signerId: signer.id });
  }
  const recordType = SIGNED_RECORD[grant.kind];
  const fields = { signerId: signer.id, printedName: signer.printedName, signedAt: now, meaning: grant.meaning, decisionKind: grant.kind, recordType, recordId };
  const content = await signedContent(tx, recordType, recordId);
  const row = await tx.signature.create({ data: { ...fields, contentHash: contentHash(fields, content), apiKeyId: grant.keyId } });
  if (signer.failedAttempts > 0) await tx.signer.update({ where: { id: signer.id }, data: { failedAttempts: 0 } });
  await audit({ action: 'signature.applied', entityType: 'signature', entityId: row.id, after: row });
  return manifestation(row);
}

export type Signing = ReturnType<typeof createSigning>;
