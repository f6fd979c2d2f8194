// Exports for archives and spreadsheets: inventory, a recall's reach, a donor's or a lot's
// forward trace, and the audit trail. Each reads in keyset batches (never the whole answer at
// once), checks access and existence before its first row, and is recorded like the read it
// stands for (trace exports as trace reads).
import type { Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import { z } from 'zod';
import { auditEvent } from '../audit/audit-schemas.ts';
import type { AuditQuery, AuditService } from '../audit/audit-service.ts';
import type { RequestContext } from '../shared/context.ts';
import { calendarDay } from '../shared/dates.ts';
import { notFound } from '../shared/errors.ts';
import type { RecordRead } from '../shared/transaction.ts';
import type { InventoryService } from '../units/inventory.ts';
import { unit as unitSchema, type InventoryFilters } from '../units/unit-schemas.ts';
import type { Export, ExportRow } from './export-encoding.ts';

const BATCH = 1_000;

export interface ExportDeps {
  prisma: PrismaClient;
  recordRead: RecordRead;
  inventory: Pick<InventoryService, 'allUnits'>;
  audit: Pick<AuditService, 'list'>;
}

/**
 * Rows read in keyset batches of `BATCH` in the order of their primary key: `read(after)` returns
 * the first BATCH rows whose id is greater (WHERE id > $after ORDER BY id LIMIT BATCH walks the
 * primary key index, so every batch costs the same, however deep into the table it is).
 */
async function* batches<T extends { id: string }>(read: (after: string | undefined) => Promise<T[]>): AsyncGenerator<T> {
  let after: string | undefined;
  for (;;) {
    const batch = await read(after);
    yield* batch;
    if (batch.length < BATCH) return;
    after = batch.at(-1)!.id;
  }
}

async function* mapAsync<T, U>(source: AsyncIterable<T>, map: (item: T) => U): AsyncGenerator<U> {
  for await (const item of source) yield map(item);
}

const INVENTORY_COLUMNS = Object.keys(unitSchema.shape);

const RECALL_COLUMNS = ['recallId', 'outcome', 'unitId', 'unitCode', 'statusAtRecall', 'facilityId', 'facilityName', 'patientId', 'medicalRecordNumber'];

const TRACE_COLUMNS = [
  'donorId', 'donorCode', 'lotId', 'din', 'lotStatus', 'unitId', 'unitCode', 'productCode', 'division', 'description', 'expiresOn', 'status',
  'facilityId', 'facilityName', 'inTransitShipmentId', 'inTransitTo', 'administrationId', 'administeredAt', 'administeredAtFacilityId',
  'administeredAtFacilityName', 'patientId', 'medicalRecordNumber', 'dispositions',
];

const AUDIT_COLUMNS = Object.keys(auditEvent.shape);

const traceUnitInclude = {
  lot: { select: { id: true, din: true, status: true, donor: { select: { id: true, donorCode: true } } } },
  locationFacility: { select: { name: true } },
  inTransit: { select: { toFacilityId: true } },
  administrations: { where: { supersededAt: null }, include: { patient: { select: { medicalRecordNumber: true } }, facility: { select: { name: true } } } },
  dispositions: { select: { kind: true, reasonCode: true, occurredAt: true }, orderBy: { occurredAt: 'asc' } },
} satisfies Prisma.UnitInclude;

type TraceUnit = Prisma.UnitGetPayload<{ include: typeof traceUnitInclude }>;

function traceRow(u: TraceUnit): ExportRow {
  const given = u.administrations[0];
  return {
    donorId: u.lot.donor.id,
    donorCode: u.lot.donor.donorCode,
    lotId: u.lot.id,
    din: u.lot.din,
    lotStatus: u.lot.status,
    unitId: u.id,
    unitCode: u.code,
    productCode: u.productCode,
    division: u.division,
    description: u.description,
    expiresOn: calendarDay(u.expiresOn),
    status: u.status,
    facilityId: u.locationFacilityId,
    facilityName: u.locationFacility?.name ?? null,
    inTransitShipmentId: u.inTransitShipmentId,
    inTransitTo: u.inTransit?.toFacilityId ?? null,
    administrationId: given?.id ?? null,
    administeredAt: given?.administeredAt.toISOString() ?? null,
    administeredAtFacilityId: given?.facilityId ?? null,
    administeredAtFacilityName: given?.facility.name ?? null,
    patientId: given?.patientId ?? null,
    medicalRecordNumber: given?.patient.medicalRecordNumber ?? null,
    dispositions: u.dispositions.map((d) => `${d.kind}:${d.reasonCode}@${d.occurredAt.toISOString()}`).join(' ') || null,
  };
}

export function createExportService({ prisma, recordRead, inventory, audit }: ExportDeps) {
  const today = () => calendarDay(new Date());

  /** The inventory list, every page of it: what GET /inventory lists, one row per unit. */
  function inventoryExport(ctx: RequestContext, filters: InventoryFilters): Export {
    const rows = mapAsync(inventory.allUnits(ctx, filters), (u) => z.encode(unitSchema, u as z.output<typeof unitSchema>) as ExportRow);
    return { name: `inventory-${today()}`, columns: INVENTORY_COLUMNS, rows };
  }

  /** A recall's reach as it stood when it was made: one row per unit, with its consignee and, if administered, the patient. */
  async function recallExport(id: string): Promise<Export> {
    const recall = await prisma.recall.findUnique({ where: { id }, select: { id: true } });
    if (!recall) throw notFound('Recall', id);
    const rows = (async function* () {
      const items = batches((after) =>
        prisma.recallItem.findMany({ where: { recallId: id, ...(after ? { id: { gt: after } } : {}) }, orderBy: { id: 'asc' }, take: BATCH }),
      );
      // Names and numbers looked up once per batch of up to BATCH items.
      let pending: Awaited<ReturnType<typeof prisma.recallItem.findMany>> = [];
      const flush = async function* () {
        const [facilities, patients] = await Promise.all([
          prisma.facility.findMany({ where: { id: { in: pending.flatMap((i) => (i.facilityId ? [i.facilityId] : [])) } }, select: { id: true, name: true } }),
          prisma.patient.findMany({ where: { id: { in: pending.flatMap((i) => (i.patientId ? [i.patientId] : [])) } }, select: { id: true, medicalRecordNumber: true } }),
        ]);
        const names = new Map(facilities.map((f) => [f.id, f.name]));
        const mrns = new Map(patients.map((p) => [p.id, p.medicalRecordNumber]));
        for (const i of pending) {
          yield {
            recallId: i.recallId, outcome: i.outcome, unitId: i.unitId, unitCode: i.unitCode, statusAtRecall: i.statusAtRecall, facilityId: i.facilityId,
            facilityName: i.facilityId ? (names.get(i.facilityId) ?? null) : null, patientId: i.patientId, medicalRecordNumber: i.patientId ? (mrns.get(i.patientId) ?? null) : null,
          };
        }
        pending = [];
      };
      for await (const item of items) {
        pending.push(item);
        if (pending.length === BATCH) yield* flush();
      }
      yield* flush();
    })();
    return { name: `recall-${id}`, columns: RECALL_COLUMNS, rows };
  }

  async function traceExport(ctx: RequestContext, scope: 'lot' | 'donor', id: string, format: string): Promise<Export> {
    const exists = scope === 'lot' ? await prisma.lot.count({ where: { id } }) : await prisma.donor.count({ where: { id } });
    if (!exists) throw notFound(scope === 'lot' ? 'Lot' : 'Donor', id);
    await recordRead(ctx, { action: `${scope}.trace_read`, entityType: scope, entityId: id, after: { export: format } });
    const where: Prisma.UnitWhereInput = scope === 'lot' ? { lotId: id } : { lot: { donorId: id } };
    const rows = mapAsync(
      batches((after) => prisma.unit.findMany({ where: { ...where, ...(after ? { id: { gt: after } } : {}) }, include: traceUnitInclude, orderBy: { id: 'asc' }, take: BATCH })),
      traceRow,
    );
    return { name: `${scope}-${id}-trace`, columns: TRACE_COLUMNS, rows };
  }

  /** The audit trail as GET /audit-events serves it, every page, through the audit service's listing. */
  function auditExport(query: Omit<AuditQuery, 'limit'>): Export {
    const rows = (async function* () {
      let after = query.after;
      for (let first = true; ; first = false) {
        // Every event committed before the export began is integrated once, at the start.
        const page = await audit.list({ ...query, after, limit: 500 }, { catchUp: first });
        for (const event of page.items) yield z.encode(auditEvent, event as z.output<typeof auditEvent>) as ExportRow;
        if (page.nextCursor === null) return;
        after = BigInt(page.nextCursor);
      }
    })();
    return { name: `audit-events-${today()}`, columns: AUDIT_COLUMNS, rows };
  }

  return { inventoryExport, recallExport, traceExport, auditExport };
}

export type ExportService = ReturnType<typeof createExportService>;
