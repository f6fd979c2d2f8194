// What a consent withdrawal does to the donor's tissue, inside the withdrawal's transaction:
// an "eligible" determination stops being in force, every lot still in quarantine goes on
// hold with its quarantined units, and every lot already released or distributed is flagged
// for review. One audit event per changed record, written in batches: a fixed number of
// statements however many lots and units she has.
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

/**
 * Moves every listed lot or unit from quarantine to on_hold in one conditional update (only
 * those still in quarantine), then audits each. A count short of the list means one changed
 * status meanwhile: the whole withdrawal is refused rather than half applied.
 */
async function holdAll(command: Command, entity: 'lot' | 'unit', ids: string[], reason: string) {
  if (!ids.length) return;
  for (const id of ids) assertTransition(entity, id, 'quarantine', 'on_hold');
  const where = { id: { in: ids }, status: 'quarantine' as const };
  const data = { status: 'on_hold' as const };
  const { count } = entity === 'lot' ? await command.tx.lot.updateMany({ where, data }) : await command.tx.unit.updateMany({ where, data });
  if (count !== ids.length) throw new DomainError('conflict', `A ${entity} of the donor changed status while her consent was being withdrawn.`, { entity, ids });
  await command.auditMany(
    ids.map((id) => ({ action: `${entity}.put_on_hold`, entityType: entity, entityId: id, before: { status: 'quarantine' }, after: { status: 'on_hold' }, reason })),
  );
}

export async function applyWithdrawalEffects(command: Command, donorId: string, withdrawalId: string): Promise<WithdrawalEffects> {
  const { tx, now, auditMany } = command;
  const reason = `consent withdrawn (withdrawal ${withdrawalId})`;

  const standing = await donorStanding(tx, donorId);
  const supersededDeterminationId = standing.eligibility?.outcome === 'eligible' ? standing.eligibility.id : null;
  if (supersededDeterminationId) await supersedeDetermination(command, supersededDeterminationId, reason);

  const lots = await tx.lot.findMany({ where: { donorId }, orderBy: { createdAt: 'asc' }, include: { units: { where: { status: 'quarantine' }, select: { id: true } } } });
  const held = lots.filter((lot) => lot.status === 'quarantine');
  const lotsPutOnHold = held.map((lot) => lot.id);
  const unitsPutOnHold = held.flatMap((lot) => lot.units.map((unit) => unit.id));
  await holdAll(command, 'lot', lotsPutOnHold, reason);
  await holdAll(command, 'unit', unitsPutOnHold, reason);

  const flagged = lots.filter((lot) => FLAG_FOR_REVIEW.includes(lot.status));
  const flag = { reviewFlaggedAt: now, reviewFlagReason: reason };
  if (flagged.length) await tx.lot.updateMany({ where: { id: { in: flagged.map((lot) => lot.id) } }, data: flag });
  await auditMany(
    flagged.map((lot) => ({
      action: 'lot.flagged_for_review',
      entityType: 'lot',
      entityId: lot.id,
      before: { reviewFlaggedAt: lot.reviewFlaggedAt, reviewFlagReason: lot.reviewFlagReason },
      after: flag,
      reason,
    })),
  );
  return { supersededDeterminationId, lotsPutOnHold, unitsPutOnHold, lotsFlaggedForReview: flagged.map((lot) => lot.id) };
}
