// Correcting one field of a donor: a Correction row keeps the old value, the donor shows the
// new one, and the audit event holds before, after and the reason. Nothing is deleted.
import type { RequestContext } from '../shared/context.ts';
import { fieldErrors, ruleViolation } from '../shared/errors.ts';
import { toJson } from '../shared/json.ts';
import type { Command } from '../shared/transaction.ts';
import { acceptanceProblem } from './donor-rules.ts';
import { newDonor } from './donor-schemas.ts';
import { donorView, requireDonor, supersedeDetermination, type DonorDeps } from './donor-records.ts';
import { donorStanding, eligibilityScreeningGaps } from './donor-standing.ts';
import { checkDeliveryFacts, type NewDonor } from './donor-registry.ts';

export type CorrectableField = 'donorCode' | 'deliveryFacilityId' | 'deliveryDate' | 'gestationalAgeWeeks' | 'deliveryMode';

export interface DonorCorrection {
  field: CorrectableField;
  value: string | number;
  reasonCode: string;
  reasonText: string;
}

/** The corrected value, validated by the same schema as at registration. */
function parseValue(field: CorrectableField, value: unknown) {
  const parsed = newDonor.shape[field].safeParse(value);
  if (!parsed.success) {
    throw fieldErrors(parsed.error.issues.map((i) => ({ field: 'body.value', message: `${field} ${i.message}` })));
  }
  return parsed.data;
}

const sameValue = (a: unknown, b: unknown) => JSON.stringify(toJson(a)) === JSON.stringify(toJson(b));

/**
 * A corrected delivery date moves the specimen window of a donor without lots: an "eligible"
 * decision her results no longer support is taken out of force in the same transaction.
 */
async function recheckEligibility(command: Command, donorId: string, panel: string[], correctionId: string) {
  const standing = await donorStanding(command.tx, donorId);
  if (standing.eligibility?.outcome !== 'eligible') return null;
  const gaps = await eligibilityScreeningGaps(command.tx, donorId, panel);
  if (!gaps.length) return null;
  const detail = gaps.map((g) => `${g.testCode} ${g.problem}`).join(', ');
  await supersedeDetermination(command, standing.eligibility.id, `correction ${correctionId} leaves screening gaps: ${detail}`);
  return standing.eligibility.id;
}

export function createDonorCorrections({ runCommand, settings }: DonorDeps) {
  async function correct(ctx: RequestContext, donorId: string, input: DonorCorrection) {
    const value = parseValue(input.field, input.value);
    return runCommand(ctx, async (command) => {
      const { tx, audit, now } = command;
      const current = await requireDonor(tx, donorId);
      const oldValue = current[input.field];
      if (sameValue(oldValue, value)) throw ruleViolation(`The donor's ${input.field} already has that value; there is nothing to correct.`, { field: 'value' });
      const corrected: NewDonor = { ...current, [input.field]: value };
      const refused = acceptanceProblem(corrected);
      if (refused) {
        throw ruleViolation(`${refused.detail} A registered donor is not corrected into an unacceptable one: record an ineligible determination instead.`, {
          field: 'value',
        });
      }
      await checkDeliveryFacts(command, corrected, donorId, settings.recoveryLimitHours);

      const reason = `${input.reasonCode}: ${input.reasonText}`;
      const correction = await tx.correction.create({
        data: {
          entityType: 'donor',
          entityId: donorId,
          field: input.field,
          oldValue: toJson(oldValue) ?? undefined,
          newValue: toJson(value) ?? undefined,
          reasonCode: input.reasonCode,
          reasonText: input.reasonText,
          correctedAt: now,
          correctedBy: ctx.actor.keyId,
        },
      });
      await audit({ action: 'correction.recorded', entityType: 'correction', entityId: correction.id, after: correction, reason });
      const { consents: _c, eligibilityDeterminations: _e, ...before } = current;
      const after = await tx.donor.update({ where: { id: donorId }, data: { [input.field]: value } });
      await audit({ action: 'donor.corrected', entityType: 'donor', entityId: donorId, before, after, reason });
      const supersededDeterminationId = await recheckEligibility(command, donorId, settings.screeningPanel, correction.id);
      return { donor: donorView(await requireDonor(tx, donorId)), correction, supersededDeterminationId };
    });
  }

  return { correct };
}
