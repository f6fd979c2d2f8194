// Consent and its withdrawal. A withdrawal is a new fact next to the consent, never a change to it.
import type { RequestContext } from '../shared/context.ts';
import { invalidState, notFound, ruleViolation } from '../shared/errors.ts';
import { isFutureInstant } from './donor-rules.ts';
import { requireDonor, type DonorDeps } from './donor-records.ts';
import { consentInForceWhere } from './donor-standing.ts';
import { applyWithdrawalEffects, type WithdrawalEffects } from './withdrawal-effects.ts';
import { queueNotices } from '../notices/notice-outbox.ts';

export interface NewConsent {
  formVersion: string;
  obtainedBy: string;
  obtainedAt: Date;
  scope: string[];
  documentRef: string;
}

export interface NewWithdrawal {
  withdrawnAt: Date;
  reason: string;
}

const NO_EFFECTS: WithdrawalEffects = { supersededDeterminationId: null, lotsPutOnHold: [], unitsPutOnHold: [], lotsFlaggedForReview: [] };

export function createConsentCommands({ runCommand }: DonorDeps) {
  async function recordConsent(ctx: RequestContext, donorId: string, input: NewConsent) {
    return runCommand(ctx, async ({ tx, audit, now }) => {
      await requireDonor(tx, donorId);
      if (isFutureInstant(input.obtainedAt, now)) throw ruleViolation('The consent cannot have been obtained in the future.', { field: 'obtainedAt' });
      const consent = await tx.consent.create({ data: { ...input, donorId, createdBy: ctx.actor.keyId } });
      await audit({ action: 'consent.recorded', entityType: 'consent', entityId: consent.id, after: consent });
      return { ...consent, withdrawal: null };
    });
  }

  async function withdrawConsent(ctx: RequestContext, donorId: string, consentId: string, input: NewWithdrawal) {
    return runCommand(ctx, async (command) => {
      const { tx, audit, now } = command;
      await requireDonor(tx, donorId);
      const consent = await tx.consent.findFirst({ where: { id: consentId, donorId }, include: { withdrawal: true } });
      if (!consent) throw notFound('Consent', consentId);
      if (consent.withdrawal) throw invalidState(`Consent ${consentId} was already withdrawn at ${consent.withdrawal.withdrawnAt.toISOString()}.`, 'withdrawn');
      if (isFutureInstant(input.withdrawnAt, now)) throw ruleViolation('The withdrawal cannot be dated in the future.', { field: 'withdrawnAt' });
      if (input.withdrawnAt < consent.obtainedAt) throw ruleViolation('The withdrawal cannot precede the consent it withdraws.', { field: 'withdrawnAt' });

      // consent_id is unique: a concurrent second withdrawal fails here and is answered 409.
      const withdrawal = await tx.consentWithdrawal.create({ data: { consentId, ...input, createdBy: ctx.actor.keyId } });
      await audit({ action: 'consent.withdrawn', entityType: 'consent_withdrawal', entityId: withdrawal.id, after: withdrawal, reason: input.reason });

      // Another consent in force for clinical use (e.g. a newer form version) still covers her
      // tissue; a remaining research- or education-only consent does not.
      const stillInForce = (await tx.consent.count({ where: { donorId, ...consentInForceWhere } })) > 0;
      const effects = stillInForce ? NO_EFFECTS : await applyWithdrawalEffects(command, donorId, withdrawal.id);
      // Consignees holding or having given units of the flagged lots are told, from this transaction's outbox.
      await queueNotices(command, { kind: 'consent_withdrawal', sourceId: withdrawal.id, recallId: null, lotIds: effects.lotsFlaggedForReview, reason: `consent withdrawn: ${input.reason}` });
      return { consent: { ...consent, withdrawal }, consentStillInForce: stillInForce, ...effects };
    });
  }

  return { recordConsent, withdrawConsent };
}
