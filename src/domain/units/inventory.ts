// Inventory: units by facility, tissue type and product, with counts. By default what is
// available: units on a facility's shelf, released at the bank or received (distributed) at a
// consignee, where they can be administered. Units past their expiry date are never listed,
// whatever their recorded status, since a status update may lag the calendar; nor are units of
// a lot flagged for review after the donor withdrew her consent.
import type { Prisma, PrismaClient, ProductStatus } from '../../generated/prisma/client.ts';
import type { RequestContext } from '../shared/context.ts';
import { DomainError } from '../shared/errors.ts';
import { pageOf } from '../shared/pagination.ts';
import type { InventoryFilters, InventoryQuery } from './unit-schemas.ts';
import { unitView } from './unit-views.ts';
import { startOfDay } from '../shared/dates.ts';

const AVAILABLE: ProductStatus[] = ['released', 'distributed'];

/** The units an inventory query selects: by default what is available (see above). */
function inventoryWhere(ctx: RequestContext, query: InventoryFilters, today: Date): Prisma.UnitWhereInput {
  const facilityId = scopedFacility(ctx, query.facilityId);
  return {
    status: query.status ?? { in: AVAILABLE },
    locationFacilityId: facilityId ?? { not: null },
    productCode: query.productCode,
    // Asked for expired units, list them; otherwise nothing past its date is listed.
    expiresOn: { ...(query.status === 'expired' ? {} : { gte: today }), ...(query.expiringBefore ? { lt: query.expiringBefore } : {}) },
    // A lot flagged for review after a consent withdrawal is not available, whatever its units' status.
    lot: { reviewFlaggedAt: null, ...(query.tissueType ? { tissueType: query.tissueType } : {}) },
  };
}

const EXPORT_BATCH = 1_000;

export function createInventoryService({ prisma }: { prisma: PrismaClient }) {
  async function inventory(ctx: RequestContext, query: InventoryQuery) {
    const today = startOfDay(new Date());
    const where = inventoryWhere(ctx, query, today);
    const [rows, all] = await Promise.all([
      prisma.unit.findMany({
        where,
        include: { lot: true },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        cursor: query.cursor ? { id: query.cursor } : undefined,
        skip: query.cursor ? 1 : 0,
        take: query.limit + 1,
      }),
      prisma.unit.findMany({ where, select: { locationFacilityId: true, productCode: true, lot: { select: { tissueType: true } } } }),
    ]);
    const page = pageOf(rows, query.limit);
    return { asOf: today, total: all.length, groups: groupCounts(all), items: page.items.map(unitView), nextCursor: page.nextCursor };
  }

  /**
   * Every unit the query selects, read in keyset batches in primary key order (WHERE id > last
   * ORDER BY id walks the index: each batch costs the same however deep), so that an export of
   * any size holds one batch in memory. The scope is checked now, before the first row.
   */
  function allUnits(ctx: RequestContext, query: InventoryFilters): AsyncIterable<ReturnType<typeof unitView>> {
    const where = inventoryWhere(ctx, query, startOfDay(new Date()));
    return (async function* () {
      let after: string | undefined;
      for (;;) {
        const batch = await prisma.unit.findMany({ where: { ...where, ...(after ? { id: { gt: after } } : {}) }, include: { lot: true }, orderBy: { id: 'asc' }, take: EXPORT_BATCH });
        for (const unit of batch) yield unitView(unit);
        if (batch.length < EXPORT_BATCH) return;
        after = batch.at(-1)!.id;
      }
    })();
  }

  return { inventory, allUnits };
}

/** Clinicians see the inventory of their own facility only. */
function scopedFacility(ctx: RequestContext, requested: string | undefined): string | undefined {
  if (ctx.actor.role !== 'clinician') return requested;
  if (requested && requested !== ctx.actor.facilityId) throw new DomainError('forbidden', 'A clinician sees the inventory of her own facility only.');
  if (!ctx.actor.facilityId) throw new DomainError('forbidden', 'This clinician key belongs to no facility.');
  return ctx.actor.facilityId;
}

type Row = { locationFacilityId: string | null; productCode: string; lot: { tissueType: string } };

function groupCounts(rows: Row[]) {
  const groups = new Map<string, { facilityId: string | null; tissueType: string; productCode: string; count: number }>();
  for (const row of rows) {
    const key = `${row.locationFacilityId}|${row.lot.tissueType}|${row.productCode}`;
    const group = groups.get(key) ?? { facilityId: row.locationFacilityId, tissueType: row.lot.tissueType, productCode: row.productCode, count: 0 };
    group.count++;
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => `${a.facilityId}${a.tissueType}${a.productCode}`.localeCompare(`${b.facilityId}${b.tissueType}${b.productCode}`));
}

export type InventoryService = ReturnType<typeof createInventoryService>;
