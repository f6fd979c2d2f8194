// Shipments: units leave the bank for a consignee and arrive there. A unit is in exactly one
// place at a time: a facility (locationFacilityId) or a shipment in transit (inTransitShipmentId).
import type { Prisma, PrismaClient, Unit } from '../../generated/prisma/client.ts';
import { canTransition } from '../products/product-status.ts';
import type { RequestContext } from '../shared/context.ts';
import { DomainError, invalidState, notFound, ruleViolation } from '../shared/errors.ts';
import type { Command, RunCommand, Tx } from '../shared/transaction.ts';
import { unitCodeOf } from '../units/unit-views.ts';
import { shipment as shipmentSchema, type NewReceipt, type NewShipment, type ShipmentListQuery } from './shipment-schemas.ts';
import { readJson, type SqlReader } from '../../db/sql.ts';
import { shipmentByIdQuery } from './shipment-sql.ts';
import { pageOf, pageWindow } from '../shared/pagination.ts';
import { startOfDay } from '../shared/dates.ts';
import { canSee, listedFacility } from '../shared/facility-scope.ts';
import { assertNotBefore, assertNotFuture, instant } from '../shared/chronology.ts';
import { lastEventsOf } from '../units/unit-timeline.ts';

const withItems = { items: { include: { unit: { select: { code: true, status: true } } } }, receipt: true } as const;

async function findShipment(db: Tx | PrismaClient, id: string) {
  const shipment = await db.shipment.findUnique({ where: { id }, include: withItems });
  if (!shipment) throw notFound('Shipment', id);
  return shipment;
}

const shipmentView = (s: Awaited<ReturnType<typeof findShipment>>) => ({
  ...s,
  items: s.items.map((i) => ({ unitId: i.unitId, unitCode: i.unit.code, receivedAcceptable: i.receivedAcceptable })),
});

/** Why a unit cannot leave `from` now, or null. */
function unavailability(unit: Unit & { lot: { reviewFlaggedAt: Date | null } }, from: string, today: Date): string | null {
  if (unit.status !== 'released') return `is ${unit.status}`;
  if (unit.lot.reviewFlaggedAt) return 'comes from a lot flagged for review after the donor withdrew her consent';
  if (unit.locationFacilityId !== from) return unit.inTransitShipmentId ? 'is in transit' : 'is not at the shipping facility';
  if (unit.expiresOn < today) return 'has expired';
  return null;
}

export function createShipmentService({ prisma, reader, runCommand }: { prisma: PrismaClient; reader: SqlReader; runCommand: RunCommand }) {
  async function ship(ctx: RequestContext, input: NewShipment) {
    if (input.fromFacilityId === input.toFacilityId) throw ruleViolation('A shipment goes from one facility to another: toFacilityId must differ from fromFacilityId.', { field: 'toFacilityId' });
    const codes = input.unitCodes.map((code, i) => unitCodeOf(code, `body.unitCodes.${i}`));
    const repeated = codes.flatMap((code, i) => (codes.indexOf(code) < i ? [`unitCodes.${i}`] : []));
    if (repeated.length) throw ruleViolation('The shipment lists a unit twice (the same code written two ways).', { fields: repeated });
    return runCommand(ctx, async ({ tx, audit, auditMany, now }) => {
      const facilities = await tx.facility.findMany({ where: { id: { in: [input.fromFacilityId, input.toFacilityId] } }, select: { id: true } });
      const missing = (['fromFacilityId', 'toFacilityId'] as const).filter((f) => !facilities.some((found) => found.id === input[f]));
      if (missing.length) throw ruleViolation(`The ${missing.map((f) => (f === 'fromFacilityId' ? 'shipping' : 'consignee')).join(' and the ')} facility does not exist.`, { fields: missing });
      const units = await tx.unit.findMany({ where: { code: { in: codes } }, include: { lot: { select: { reviewFlaggedAt: true } } } });
      const unknown = codes.filter((c) => !units.some((u) => u.code === c));
      if (unknown.length) {
        throw ruleViolation(`Unknown unit code(s): ${unknown.join(', ')}.`, { unknownCodes: unknown, fields: unknown.map((c) => `unitCodes.${codes.indexOf(c)}`) });
      }
      const today = startOfDay(now);
      const unavailable = units.flatMap((u) => {
        const why = unavailability(u, input.fromFacilityId, today);
        return why ? [{ code: u.code, status: u.status, problem: why }] : [];
      });
      if (unavailable.length) {
        const detail = unavailable.map((u) => `${u.code} ${u.problem}`).join('; ');
        throw invalidState(`Only released, unexpired units at the shipping facility can be shipped: ${detail}.`, unavailable[0]!.status, { unavailableUnits: unavailable });
      }
      const shipped = instant('the shipment', input.shippedAt);
      assertNotFuture('shippedAt', shipped, now);
      for (const last of (await lastEventsOf(tx, units.map((u) => u.id))).values()) assertNotBefore('shippedAt', shipped, last);
      const shipment = await tx.shipment.create({
        data: { fromFacilityId: input.fromFacilityId, toFacilityId: input.toFacilityId, shippedAt: input.shippedAt, conditions: input.conditions, shippedBy: ctx.actor.name, createdBy: ctx.actor.keyId },
      });
      await tx.shipmentItem.createMany({ data: units.map((u) => ({ shipmentId: shipment.id, unitId: u.id })) });
      await audit({ action: 'shipment.created', entityType: 'shipment', entityId: shipment.id, after: { ...shipment, unitCodes: codes } });
      // One conditional move: if any unit left the shelf meanwhile, the count differs and the
      // whole shipment rolls back, so two shipments of the same unit cannot both succeed.
      const { count } = await tx.unit.updateMany({
        where: { id: { in: units.map((u) => u.id) }, status: 'released', locationFacilityId: input.fromFacilityId, expiresOn: { gte: today } },
        data: { status: 'distributed', locationFacilityId: null, inTransitShipmentId: shipment.id },
      });
      if (count !== units.length) throw new DomainError('conflict', 'Some units were shipped or changed by another request meanwhile; nothing was shipped.');
      await auditMany(
        units.map((u) => ({
          action: 'unit.distributed',
          entityType: 'unit',
          entityId: u.id,
          before: { status: u.status, locationFacilityId: u.locationFacilityId, inTransitShipmentId: null },
          after: { status: 'distributed', locationFacilityId: null, inTransitShipmentId: shipment.id },
        })),
      );
      return shipmentView(await findShipment(tx, shipment.id));
    });
  }

  async function receive(ctx: RequestContext, shipmentId: string, input: NewReceipt) {
    return runCommand(ctx, async ({ tx, audit, auditMany, now }) => {
      const shipment = await findShipment(tx, shipmentId);
      // For a clinician, a shipment to another facility does not exist (404, not 403: existence does not leak).
      if (!canSee(ctx, shipment.toFacilityId)) throw notFound('Shipment', shipmentId);
      if (shipment.receipt) throw new DomainError('conflict', `Shipment ${shipmentId} was already received at ${shipment.receipt.receivedAt.toISOString()}.`, { receiptId: shipment.receipt.id });
      const received = instant('the receipt', input.receivedAt);
      assertNotFuture('receivedAt', received, now);
      assertNotBefore('receivedAt', received, instant('the shipment', shipment.shippedAt));
      const verdicts = unitVerdicts(shipment, input);
      const receipt = await tx.shipmentReceipt.create({
        data: {
          shipmentId,
          receivedAt: input.receivedAt,
          receivedBy: ctx.actor.name,
          conditionAcceptable: input.conditionAcceptable,
          temperatureAcceptable: input.temperatureAcceptable,
          notes: input.notes ?? null,
          createdBy: ctx.actor.keyId,
        },
      });
      await audit({ action: 'shipment.received', entityType: 'shipment', entityId: shipmentId, after: receipt, reason: input.notes ?? null });
      await arrive(tx, auditMany, shipment, verdicts);
      return receipt;
    });
  }

  /** One statement (shipment-sql.ts). */
  async function get(ctx: RequestContext, id: string) {
    const found = await readJson(reader, shipmentByIdQuery(id));
    const shipment = found === null ? null : shipmentSchema.parse(found);
    if (!shipment || !canSee(ctx, shipment.toFacilityId, shipment.fromFacilityId)) throw notFound('Shipment', id);
    return shipment;
  }

  /** Shipments in the order they were recorded; a clinician's are those leaving or reaching her facility. */
  async function list(ctx: RequestContext, query: ShipmentListQuery) {
    const facilityId = listedFacility(ctx, query.facilityId);
    if (query.direction !== 'any' && !facilityId) {
      throw ruleViolation(`direction=${query.direction} needs the facility it is relative to: name it in facilityId.`, { field: 'query.facilityId' });
    }
    const byFacility: Prisma.ShipmentWhereInput = !facilityId
      ? {}
      : query.direction === 'outgoing'
        ? { fromFacilityId: facilityId }
        : query.direction === 'incoming'
          ? { toFacilityId: facilityId }
          : { OR: [{ fromFacilityId: facilityId }, { toFacilityId: facilityId }] };
    const rows = await prisma.shipment.findMany({
      where: { ...byFacility, ...(query.status ? { receipt: query.status === 'received' ? { isNot: null } : { is: null } } : {}) },
      include: withItems,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      ...pageWindow(query),
    });
    const page = pageOf(rows, query.limit);
    return { items: page.items.map(shipmentView), nextCursor: page.nextCursor };
  }

  return { ship, receive, get, list };
}

type Shipment = Awaited<ReturnType<typeof findShipment>>;

/** Each unit is acceptable when the shipment's condition and temperature were and its own condition was. */
function unitVerdicts(shipment: Shipment, input: NewReceipt): Map<string, boolean> {
  const shipped = new Set(shipment.items.map((i) => i.unit.code));
  const listed = (input.units ?? []).map((u, i) => ({ code: unitCodeOf(u.code, `body.units.${i}.code`), acceptable: u.acceptable, field: `units.${i}.code` }));
  const perUnit = new Map(listed.map((u) => [u.code, u.acceptable]));
  const strangers = listed.filter((u) => !shipped.has(u.code));
  if (strangers.length) {
    throw ruleViolation(`Unit(s) ${strangers.map((u) => u.code).join(', ')} are not part of shipment ${shipment.id}.`, { codes: strangers.map((u) => u.code), fields: strangers.map((u) => u.field) });
  }
  const shipmentOk = input.conditionAcceptable && input.temperatureAcceptable;
  return new Map([...shipped].map((code) => [code, shipmentOk && (perUnit.get(code) ?? true)]));
}

/** The units leave the shipment for the consignee; those in bad condition go to quarantine there. */
async function arrive(tx: Tx, auditMany: Command['auditMany'], shipment: Shipment, verdicts: Map<string, boolean>) {
  // One conditional move for every unit: one that is no longer in transit with this shipment makes the count differ.
  const { count } = await tx.unit.updateMany({
    where: { id: { in: shipment.items.map((i) => i.unitId) }, inTransitShipmentId: shipment.id },
    data: { locationFacilityId: shipment.toFacilityId, inTransitShipmentId: null },
  });
  if (count !== shipment.items.length) throw new DomainError('conflict', `Some units are no longer in transit with shipment ${shipment.id}; nothing was received.`);
  const statusOnArrival = (item: Shipment['items'][number]) =>
    !verdicts.get(item.unit.code) && canTransition(item.unit.status, 'quarantine') ? ('quarantine' as const) : item.unit.status;
  const quarantined = shipment.items.filter((i) => statusOnArrival(i) !== i.unit.status).map((i) => i.unitId);
  if (quarantined.length) await tx.unit.updateMany({ where: { id: { in: quarantined } }, data: { status: 'quarantine' } });
  for (const acceptable of [true, false]) {
    const itemIds = shipment.items.filter((i) => verdicts.get(i.unit.code) === acceptable).map((i) => i.id);
    if (itemIds.length) await tx.shipmentItem.updateMany({ where: { id: { in: itemIds } }, data: { receivedAcceptable: acceptable } });
  }
  await auditMany(
    shipment.items.map((item) => {
      const acceptable = verdicts.get(item.unit.code)!;
      return {
        action: acceptable ? 'unit.received' : 'unit.received_quarantined',
        entityType: 'unit',
        entityId: item.unitId,
        before: { status: item.unit.status, locationFacilityId: null, inTransitShipmentId: shipment.id },
        after: { status: statusOnArrival(item), locationFacilityId: shipment.toFacilityId, inTransitShipmentId: null, receivedAcceptable: acceptable },
      };
    }),
  );
}

export type ShipmentService = ReturnType<typeof createShipmentService>;
