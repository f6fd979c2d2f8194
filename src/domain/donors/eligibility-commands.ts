// The eligibility determination (21 CFR 1271.50): signed by the responsible person, made on
// consent in force, an acceptable history review and complete, non-reactive, in-window results.
import type { RequestContext } from '../shared/context.ts';
import { DomainError, ruleViolation } from '../shared/errors.ts';
import { eligibilityPrerequisites } from './donor-rules.ts';
import { assertNotBefore, assertNotFuture, instant } from '../shared/chronology.ts';
import { consentInForceWhere } from './donor-standing.ts';
import { determinationView, requireDonor, supersedeDetermination, type DonorDeps } from './donor-records.ts';
import { donorStanding, eligibilityScreeningGaps } from './donor-standing.ts';
import { sign, type SignatureBlock } from '../signatures/signing.ts';

export interface NewDetermination {
  outcome: 'eligible' | 'ineligible';
  determinedAt: Date;
  basis: string;
  signature: SignatureBlock;
}

export function createEligibilityCommands({ runCommand, settings, signing }: DonorDeps) {
  /** Signed by the responsible person (21 CFR 1271.50; Part 11): the signature is checked first. */
  async function determine(ctx: RequestContext, donorId: string, { signature, ...input }: NewDetermination) {
    const grant = await signing.authorise(ctx, 'eligibility_determination', signature);
    return runCommand(ctx, async (command) => {
      const { tx, audit, now } = command;
      await requireDonor(tx, donorId);
      const determination = instant('the determination', input.determinedAt);
      assertNotFuture('determinedAt', determination, now);
      const standing = await donorStanding(tx, donorId);

      if (input.outcome === 'eligible') {
        const failedPrerequisites = eligibilityPrerequisites(standing, await eligibilityScreeningGaps(tx, donorId, settings.screeningPanel));
        if (failedPrerequisites.length) {
          throw new DomainError('prerequisites_unmet', `The donor cannot be determined eligible: ${failedPrerequisites.map((f) => f.detail).join(' ')}`, {
            failedPrerequisites,
          });
        }
        // An eligible decision rests on the latest history review and a consent in force: it cannot precede them.
        const [review, consent] = await Promise.all([
          tx.medicalHistoryReview.findFirst({ where: { donorId }, orderBy: [{ reviewedAt: 'desc' }, { createdAt: 'desc' }], select: { reviewedAt: true } }),
          tx.consent.findFirst({ where: { donorId, ...consentInForceWhere }, orderBy: { obtainedAt: 'asc' }, select: { obtainedAt: true } }),
        ]);
        assertNotBefore('determinedAt', determination, review && instant('the history review it rests on', review.reviewedAt));
        assertNotBefore('determinedAt', determination, consent && instant('the consent it rests on', consent.obtainedAt));
      }

      const created = await tx.eligibilityDetermination.create({
        data: { donorId, ...input, determinedBy: ctx.actor.name, createdBy: ctx.actor.keyId },
      });
      await audit({ action: 'eligibility_determination.recorded', entityType: 'eligibility_determination', entityId: created.id, after: created, reason: input.basis });
      if (standing.eligibility) {
        await supersedeDetermination(command, standing.eligibility.id, `superseded by determination ${created.id}`);
      }
      return { ...determinationView(created), signatures: [await sign(command, grant, created.id)] };
    });
  }

  return { determine };
}
