// Consent and its withdrawal. A withdrawal is a new fact next to the consent, never a change to it.
import type { RequestContext } from '../shared/context.ts';
import { invalidState, notFound } from '../shared/errors.ts';
import { assertNotBefore, assertNotFuture, instant } from '../shared/chronology.ts';
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
      assertNotFuture('obtainedAt', instant('the consent', input.obtainedAt), now);
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
      const withdrawal = instant('the withdrawal', input.withdrawnAt);
      assertNotFuture('withdrawnAt', withdrawal, now);
      assertNotBefore('withdrawnAt', withdrawal, instant('the consent it withdraws', consent.obtainedAt));

      // consent_id is unique: a concurrent second withdrawal fails here and is answered 409.
      const recorded = await tx.consentWithdrawal.create({ data: { consentId, ...input, createdBy: ctx.actor.keyId } });
      await audit({ action: 'consent.withdrawn', entityType: 'consent_withdrawal', entityId: recorded.id, after: recorded, reason: input.reason });

      // Another consent in force for clinical use (e.g. a newer form version) still covers her
      // tissue; a remaining research- or education-only consent does not.
      const stillInForce = (await tx.consent.count({ where: { donorId, ...consentInForceWhere } })) > 0;
      const effects = stillInForce ? NO_EFFECTS : await applyWithdrawalEffects(command, donorId, recorded.id);
      // Consignees holding or having given units of the flagged lots are told, from this transaction's outbox.
      await queueNotices(command, { kind: 'consent_withdrawal', sourceId: recorded.id, recallId: null, lotIds: effects.lotsFlaggedForReview, reason: `consent withdrawn: ${input.reason}` });
      return { consent: { ...consent, withdrawal: recorded }, consentStillInForce: stillInForce, ...effects };
    });
  }

  return { recordConsent, withdrawConsent };
}
