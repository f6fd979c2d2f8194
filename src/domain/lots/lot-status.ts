// Moving a lot, and the units that still follow it, through the one state machine, with a
// conditional update (the database refuses a move from a state that changed meanwhile) and an
// audit event carrying before and after for each.
import type { Lot, ProductStatus } from '../../generated/prisma/client.ts';
import type { AuditEntry } from '../audit/audit-log.ts';
import { assertTransition } from '../products/product-status.ts';
import { DomainError } from '../shared/errors.ts';
import type { Tx } from '../shared/transaction.ts';

type Audit = (entry: AuditEntry) => Promise<void>;

export async function moveLot(tx: Tx, audit: Audit, lot: Lot, to: ProductStatus, action: string, reason: string | null): Promise<Lot> {
  assertTransition('lot', lot.id, lot.status, to);
  const { count } = await tx.lot.updateMany({ where: { id: lot.id, status: lot.status }, data: { status: to } });
  if (count !== 1) throw new DomainError('conflict', `The lot ${lot.id} changed while this request ran; try again.`);
  const after = { ...lot, status: to };
  await audit({ action, entityType: 'lot', entityId: lot.id, before: { status: lot.status }, after: { status: to }, reason });
  return after;
}

/** Units still at the bank in the lot's former status follow the lot (quarantine → released / rejected). */
export async function moveFollowingUnits(tx: Tx, audit: Audit, lotId: string, from: ProductStatus, to: ProductStatus, action: string, reason: string | null) {
  const units = await tx.unit.findMany({ where: { lotId, status: from }, orderBy: { code: 'asc' } });
  for (const unit of units) {
    assertTransition('unit', unit.code, unit.status, to);
    const { count } = await tx.unit.updateMany({ where: { id: unit.id, status: from }, data: { status: to } });
    if (count !== 1) throw new DomainError('conflict', `The unit ${unit.code} changed while this request ran; try again.`);
    await audit({ action, entityType: 'unit', entityId: unit.id, before: { status: from }, after: { status: to }, reason });
  }
  return units.length;
}
