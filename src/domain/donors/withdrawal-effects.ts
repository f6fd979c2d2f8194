// What a consent withdrawal does to the donor's tissue, inside the withdrawal's transaction:
// an "eligible" determination stops being in force, every lot still in quarantine goes on
// hold with its quarantined units, and every lot already released or distributed is flagged
// for review. One audit event per changed record.
import type { ProductStatus } from '../../generated/prisma/enums.ts';
import { assertTransition } from '../products/product-status.ts';
import { DomainError } from '../shared/errors.ts';
import type { Command } from '../shared/transaction.ts';
import { supersedeDetermination } from './donor-records.ts';
import { donorStanding } from './donor-standing.ts';

export interface WithdrawalEffects {
  supersededDeterminationId: string | null;
  lotsPutOnHold: string[];
  unitsPutOnHold: string[];
  lotsFlaggedForReview: string[];
}

const FLAG_FOR_REVIEW: readonly ProductStatus[] = ['released', 'distributed'];

/** Moves a lot or unit from `from` to on_hold only if it is still `from` (a conditional update). */
async function holdOne(command: Command, entity: 'lot' | 'unit', id: string, from: ProductStatus, reason: string) {
  assertTransition(entity, id, from, 'on_hold');
  const where = { id, status: from };
  const data = { status: 'on_hold' as const };
  const { count } = entity === 'lot' ? await command.tx.lot.updateMany({ where, data }) : await command.tx.unit.updateMany({ where, data });
  if (count !== 1) throw new DomainError('conflict', `The ${entity} ${id} changed status while its donor's consent was being withdrawn.`, { entity, id });
  await command.audit({ action: `${entity}.put_on_hold`, entityType: entity, entityId: id, before: { status: from }, after: { status: 'on_hold' }, reason });
}

export async function applyWithdrawalEffects(command: Command, donorId: string, withdrawalId: string): Promise<WithdrawalEffects> {
  const { tx, now, audit } = command;
  const reason = `consent withdrawn (withdrawal ${withdrawalId})`;
  const effects: WithdrawalEffects = { supersededDeterminationId: null, lotsPutOnHold: [], unitsPutOnHold: [], lotsFlaggedForReview: [] };

  const standing = await donorStanding(tx, donorId);
  if (standing.eligibility?.outcome === 'eligible') {
    await supersedeDetermination(command, standing.eligibility.id, reason);
    effects.supersededDeterminationId = standing.eligibility.id;
  }

  const lots = await tx.lot.findMany({ where: { donorId }, orderBy: { createdAt: 'asc' }, include: { units: { where: { status: 'quarantine' } } } });
  for (const lot of lots) {
    if (lot.status === 'quarantine') {
      await holdOne(command, 'lot', lot.id, 'quarantine', reason);
      effects.lotsPutOnHold.push(lot.id);
      for (const unit of lot.units) {
        await holdOne(command, 'unit', unit.id, 'quarantine', reason);
        effects.unitsPutOnHold.push(unit.id);
      }
    } else if (FLAG_FOR_REVIEW.includes(lot.status)) {
      const flag = { reviewFlaggedAt: now, reviewFlagReason: reason };
      await tx.lot.update({ where: { id: lot.id }, data: flag });
      await audit({
        action: 'lot.flagged_for_review',
        entityType: 'lot',
        entityId: lot.id,
        before: { reviewFlaggedAt: lot.reviewFlaggedAt, reviewFlagReason: lot.reviewFlagReason },
        after: flag,
        reason,
      });
      effects.lotsFlaggedForReview.push(lot.id);
    }
  }
  return effects;
}
