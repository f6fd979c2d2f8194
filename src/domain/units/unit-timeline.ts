// A unit's history is a sequence of dated events: its split (when recorded), its lot's release,
// each shipment and receipt, its administration, a discard or a return. A new event must come
// after the last one (chronology.ts); this finds the last one, for many units in one query.
import type { Tx } from '../shared/transaction.ts';
import { instant, lastOf, type Moment } from '../shared/chronology.ts';

export interface TimelineOptions {
  /** Leave administrations out: to place a corrected administration among the other events. */
  withoutAdministrations?: boolean;
}

/** The last dated event of each unit, keyed by unit id. */
export async function lastEventsOf(tx: Tx, unitIds: string[], options: TimelineOptions = {}): Promise<Map<string, Moment>> {
  if (!unitIds.length) return new Map();
  const units = await tx.unit.findMany({
    where: { id: { in: unitIds } },
    select: {
      id: true,
      code: true,
      createdAt: true,
      lot: { select: { din: true, releaseDecisions: { where: { decision: 'released' }, select: { decidedAt: true } } } },
      shipmentItems: { select: { shipment: { select: { shippedAt: true, receipt: { select: { receivedAt: true } } } } } },
      dispositions: { select: { kind: true, occurredAt: true } },
      administrations: options.withoutAdministrations ? false : { where: { supersededAt: null }, select: { administeredAt: true } },
    },
  });
  return new Map(
    units.map((unit) => {
      const moments: Moment[] = [
        instant(`the split of unit ${unit.code} into its lot's units`, unit.createdAt),
        ...unit.lot.releaseDecisions.map((d) => instant(`the release of lot ${unit.lot.din}`, d.decidedAt)),
        ...unit.shipmentItems.flatMap(({ shipment }) => [
          instant(`the shipment of unit ${unit.code}`, shipment.shippedAt),
          ...(shipment.receipt ? [instant(`the receipt of unit ${unit.code}`, shipment.receipt.receivedAt)] : []),
        ]),
        ...unit.dispositions.map((d) => instant(`the ${d.kind === 'returned' ? 'return' : 'discard'} of unit ${unit.code}`, d.occurredAt)),
        ...(unit.administrations || []).map((a) => instant(`the administration of unit ${unit.code}`, a.administeredAt)),
      ];
      return [unit.id, lastOf(...moments)!];
    }),
  );
}

export async function lastEventOf(tx: Tx, unitId: string, options: TimelineOptions = {}): Promise<Moment | null> {
  return (await lastEventsOf(tx, [unitId], options)).get(unitId) ?? null;
}
