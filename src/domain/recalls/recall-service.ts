// Recalls: in one transaction every unit of the scope still in inventory anywhere (in transit
// too) is put on hold as recalled, lots not yet final as well, and the reach is written down as
// RecallItem rows, a snapshot the report is always rebuilt from.
import type { PrismaClient, ProductStatus } from '../../generated/prisma/client.ts';
import type { z } from 'zod';
import { readJson, type SqlReader } from '../../db/sql.ts';
import { invalidState, notFound } from '../shared/errors.ts';
import type { RequestContext } from '../shared/context.ts';
import type { Command, RunCommand } from '../shared/transaction.ts';
import { IN_INVENTORY } from '../products/product-status.ts';
import { recallListQuery as recallListQueryText, recallReport } from './recall-report.ts';
import { recallSummary, type RecallListQuery } from './recall-schemas.ts';
import { pageOf } from '../shared/pagination.ts';
import { queueNotices } from '../notices/notice-outbox.ts';
import { recallNoticeStatus } from '../notices/notice-status.ts';
import { sign, type SignatureBlock, type Signing } from '../signatures/signing.ts';
import { sameHolder } from '../signatures/signer-identity.ts';
import { DomainError } from '../shared/errors.ts';

export type NewRecall = ({ scope: 'lot'; lotId: string; reason: string } | { scope: 'donor'; donorId: string; reason: string }) & { signature: SignatureBlock };

const inInventory = IN_INVENTORY as ProductStatus[];

function outcomeOf(status: ProductStatus): 'held' | 'administered' | 'discarded' | 'other' {
  if (inInventory.includes(status)) return 'held';
  if (status === 'administered' || status === 'discarded') return status;
  return 'other';
}

async function lotsInScope({ tx }: Command, input: NewRecall) {
  if (input.scope === 'lot') {
    const lot = await tx.lot.findUnique({ where: { id: input.lotId }, select: { id: true, status: true } });
    if (!lot) throw notFound('Lot', input.lotId);
    return [lot];
  }
  const donor = await tx.donor.findUnique({ where: { id: input.donorId }, include: { lots: { select: { id: true, status: true } } } });
  if (!donor) throw notFound('Donor', input.donorId);
  if (donor.lots.length === 0) throw notFound('Lots of donor', input.donorId);
  return donor.lots;
}

export function createRecallService({ prisma, reader, runCommand, signing }: { prisma: PrismaClient; reader: SqlReader; runCommand: RunCommand; signing: Signing }) {
  async function create(ctx: RequestContext, input: NewRecall) {
    const grant = await signing.authorise(ctx, 'recall_initiation', input.signature);
    return runCommand(ctx, async (command) => {
      const { tx, audit, auditMany, now } = command;
      const lots = await lotsInScope(command, input);
      const lotIds = lots.map((l) => l.id);
      const units = await tx.unit.findMany({
        where: { lotId: { in: lotIds } },
        include: { inTransit: { select: { toFacilityId: true } }, administrations: { where: { supersededAt: null }, select: { patientId: true, facilityId: true } } },
      });
      const recall = await tx.recall.create({
        data: {
          scope: input.scope,
          lotId: input.scope === 'lot' ? input.lotId : null,
          donorId: input.scope === 'donor' ? input.donorId : null,
          reason: input.reason,
          initiatedBy: ctx.actor.name,
          initiatedAt: now,
          createdBy: ctx.actor.keyId,
        },
      });

      const held = units.filter((u) => outcomeOf(u.status) === 'held');
      // One conditional update for all: it can only move units that are still in inventory.
      const moved = await tx.unit.updateMany({ where: { id: { in: held.map((u) => u.id) }, status: { in: inInventory } }, data: { status: 'recalled' } });
      if (moved.count !== held.length) throw invalidState('Units of the recall changed while it ran; retry.', 'changed');
      const heldLots = lots.filter((l) => inInventory.includes(l.status));
      await tx.lot.updateMany({ where: { id: { in: heldLots.map((l) => l.id) }, status: { in: inInventory } }, data: { status: 'recalled' } });

      await tx.recallItem.createMany({
        data: units.map((u) => {
          const current = u.administrations[0];
          return {
            recallId: recall.id,
            unitId: u.id,
            unitCode: u.code,
            statusAtRecall: u.status,
            outcome: outcomeOf(u.status),
            // An in-transit unit is listed under its destination: the consignee must hold it on arrival.
            facilityId: current?.facilityId ?? u.locationFacilityId ?? u.inTransit?.toFacilityId ?? null,
            patientId: u.status === 'administered' ? (current?.patientId ?? null) : null,
          };
        }),
      });

      const recalled = (entityType: 'unit' | 'lot') => (row: { id: string; status: string }) => ({
        action: `${entityType}.recalled`,
        entityType,
        entityId: row.id,
        before: { status: row.status },
        after: { status: 'recalled', recallId: recall.id },
        reason: input.reason,
      });
      await auditMany([...held.map(recalled('unit')), ...heldLots.map(recalled('lot'))]);
      // Signed once its reach is written: the signature covers the recall and every unit it reached.
      await sign(command, grant, recall.id);
      const report = await recallReport(tx, recall.id);
      await audit({ action: 'recall.created', entityType: 'recall', entityId: recall.id, after: { ...recall, totals: report.totals }, reason: input.reason });
      // The notices to every consignee, in this transaction: no recall without them.
      await queueNotices(command, { kind: 'recall', sourceId: recall.id, recallId: recall.id, lotIds, reason: input.reason });
      return { ...report, notices: await recallNoticeStatus(tx, recall.id) };
    });
  }

  const get = (id: string) => recallReport(reader, id);

  /**
   * The second signature a recall asks for: quality's countersignature, by another person than
   * the one who initiated it (segregation of duties), once.
   */
  async function countersign(ctx: RequestContext, id: string, input: { signature: SignatureBlock }) {
    const grant = await signing.authorise(ctx, 'recall_countersignature', input.signature);
    return runCommand(ctx, async (command) => {
      const { tx, audit } = command;
      const recall = await tx.recall.findUnique({ where: { id } });
      if (!recall) throw notFound('Recall', id);
      const initiation = await tx.signature.findFirst({ where: { recordType: 'recall', recordId: id, decisionKind: 'recall_initiation' } });
      const initiatedByMe = initiation ? initiation.signerId === grant.signerId : recall.createdBy !== null && (await sameHolder(tx, recall.createdBy, grant.keyId));
      if (initiatedByMe) {
        throw new DomainError('forbidden', `You initiated recall ${id}; another person countersigns it (segregation of duties).`, { rule: 'segregation_of_duties' });
      }
      if (await tx.signature.findFirst({ where: { recordType: 'recall', recordId: id, decisionKind: 'recall_countersignature' }, select: { id: true } })) {
        throw invalidState(`Recall ${id} is already countersigned.`, 'countersigned');
      }
      const signature = await sign(command, grant, id);
      await audit({ action: 'recall.countersigned', entityType: 'recall', entityId: id, after: { signatureId: signature.id, meaning: signature.meaning } });
      return { ...(await recallReport(tx, id)), notices: await recallNoticeStatus(tx, id) };
    });
  }

  /** The report as made, with where each consignee's notice and acknowledgement stand now. */
  async function getWithNotices(id: string) {
    return { ...(await get(id)), notices: await recallNoticeStatus(prisma, id) };
  }


  /** Recalls in the order they were made, each with the totals of its reach: one statement. */
  async function list(query: RecallListQuery) {
    const rows = (await readJson(reader, recallListQueryText(query))) as z.input<typeof recallSummary>[];
    return pageOf(rows.map((row) => recallSummary.parse(row)), query.limit);
  }

  return { create, get, getWithNotices, list, countersign };
}

export type RecallService = ReturnType<typeof createRecallService>;
