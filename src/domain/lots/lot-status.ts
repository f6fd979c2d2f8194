// Moving a lot, and the units that still follow it, through the one state machine, with a
// conditional update (the database refuses a move from a state that changed meanwhile) and an
// audit event carrying before and after for each.
import type { Lot, ProductStatus } from '../../generated/prisma/client.ts';
import { assertTransition } from '../products/product-status.ts';
import { DomainError } from '../shared/errors.ts';
import type { Command, Tx } from '../shared/transaction.ts';

type Audit = Command['audit'];

export async function moveLot(tx: Tx, audit: Audit, lot: Lot, to: ProductStatus, action: string, reason: string | null): Promise<Lot> {
  assertTransition('lot', lot.id, lot.status, to);
  const { count } = await tx.lot.updateMany({ where: { id: lot.id, status: lot.status }, data: { status: to } });
  if (count !== 1) throw new DomainError('conflict', `The lot ${lot.id} changed while this request ran; try again.`);
  const after = { ...lot, status: to };
  await audit({ action, entityType: 'lot', entityId: lot.id, before: { status: lot.status }, after: { status: to }, reason });
  return after;
}

/** Units still at the bank in the lot's former status follow the lot (quarantine → released / rejected). */
export async function moveFollowingUnits(tx: Tx, auditMany: Command['auditMany'], lotId: string, from: ProductStatus, to: ProductStatus, action: string, reason: string | null) {
  const units = await tx.unit.findMany({ where: { lotId, status: from }, select: { id: true, code: true }, orderBy: { code: 'asc' } });
  if (units.length === 0) return 0;
  assertTransition('unit', units[0]!.code, from, to);
  // One conditional update for them all: a unit that changed meanwhile makes the count differ.
  const { count } = await tx.unit.updateMany({ where: { id: { in: units.map((u) => u.id) }, status: from }, data: { status: to } });
  if (count !== units.length) throw new DomainError('conflict', `Units of lot ${lotId} changed while this request ran; try again.`);
  await auditMany(units.map((unit) => ({ action, entityType: 'unit', entityId: unit.id, before: { status: from }, after: { status: to }, reason })));
  return units.length;
}
