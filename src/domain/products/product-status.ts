// One state machine for lots and units (DOMAIN.md): quarantine → released → distributed →
// administered / discarded, plus rejected, on hold, recalled and expired. A unit's status
// follows its lot until the unit leaves the bank; from then on it has a life of its own.
import type { ProductStatus } from '../../generated/prisma/enums.ts';
import { invalidState } from '../shared/errors.ts';

const allowed: Record<ProductStatus, readonly ProductStatus[]> = {
  // Awaiting eligibility, processing and the QA decision.
  quarantine: ['released', 'rejected', 'on_hold', 'recalled', 'discarded', 'expired'],
  // Released by QA, in the bank's inventory.
  released: ['distributed', 'on_hold', 'recalled', 'discarded', 'expired', 'quarantine'],
  // Shipped: in transit or at the consignee. Back to quarantine when received in bad condition,
  // back to released when returned to the bank.
  distributed: ['administered', 'discarded', 'on_hold', 'recalled', 'expired', 'quarantine', 'released'],
  // Held (consent withdrawn, investigation): back to where it was once cleared, or out.
  on_hold: ['quarantine', 'released', 'distributed', 'recalled', 'rejected', 'discarded'],
  recalled: ['discarded'],
  rejected: ['discarded'],
  expired: ['discarded'],
  administered: [],
  discarded: [],
};

/** Statuses in which a product is still somewhere in inventory (it can still be reached and held). */
export const IN_INVENTORY: readonly ProductStatus[] = ['quarantine', 'released', 'distributed', 'on_hold'];

/** Statuses that end a product's life. */
export const FINAL: readonly ProductStatus[] = ['administered', 'discarded'];

export function canTransition(from: ProductStatus, to: ProductStatus): boolean {
  return allowed[from].includes(to);
}

/** Throws a 409 problem that names the current state when the transition is not allowed. */
export function assertTransition(entity: 'lot' | 'unit', id: string, from: ProductStatus, to: ProductStatus): void {
  if (!canTransition(from, to)) {
    throw invalidState(`The ${entity} ${id} is ${from}; it cannot become ${to}.`, from, { entity, id, requestedStatus: to });
  }
}
