// The eligibility determination (21 CFR 1271.50): signed by the responsible person, made on
// consent in force, an acceptable history review and complete, non-reactive, in-window results.
import type { RequestContext } from '../shared/context.ts';
import { DomainError, ruleViolation } from '../shared/errors.ts';
import { eligibilityPrerequisites, isFutureInstant } from './donor-rules.ts';
import { determinationView, requireDonor, supersedeDetermination, type DonorDeps } from './donor-records.ts';
import { donorStanding, eligibilityScreeningGaps } from './donor-standing.ts';

export interface NewDetermination {
  outcome: 'eligible' | 'ineligible';
  determinedAt: Date;
  basis: string;
}

export function createEligibilityCommands({ runCommand, settings }: DonorDeps) {
  async function determine(ctx: RequestContext, donorId: string, input: NewDetermination) {
    return runCommand(ctx, async (command) => {
      const { tx, audit, now } = command;
      await requireDonor(tx, donorId);
      if (isFutureInstant(input.determinedAt, now)) throw ruleViolation('The determination cannot be dated in the future.', { field: 'determinedAt' });
      const standing = await donorStanding(tx, donorId);

      if (input.outcome === 'eligible') {
        const failedPrerequisites = eligibilityPrerequisites(standing, await eligibilityScreeningGaps(tx, donorId, settings.screeningPanel));
        if (failedPrerequisites.length) {
          throw new DomainError('prerequisites_unmet', `The donor cannot be determined eligible: ${failedPrerequisites.map((f) => f.detail).join(' ')}`, {
            failedPrerequisites,
          });
        }
      }

      const created = await tx.eligibilityDetermination.create({
        data: { donorId, ...input, determinedBy: ctx.actor.name, createdBy: ctx.actor.keyId },
      });
      await audit({ action: 'eligibility_determination.recorded', entityType: 'eligibility_determination', entityId: created.id, after: created, reason: input.basis });
      if (standing.eligibility) {
        await supersedeDetermination(command, standing.eligibility.id, `superseded by determination ${created.id}`);
      }
      return determinationView(created);
    });
  }

  return { determine };
}
