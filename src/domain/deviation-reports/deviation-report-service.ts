// Deviation reports: a deviation from a core CGTP requirement discovered in a lot that was
// distributed opens a report due to FDA 45 days after its discovery (21 CFR 1271.350(b)); it is
// listed with its due date and an overdue flag, and closed once investigated and reported.
import type { DeviationReport, Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import type { RequestContext } from '../shared/context.ts';
import { invalidState, notFound, ruleViolation } from '../shared/errors.ts';
import { pageOf, pageWindow } from '../shared/pagination.ts';
import { startOfDay } from '../shared/dates.ts';
import type { RunCommand } from '../shared/transaction.ts';
import { assertNotBefore, assertNotFuture, instant } from '../shared/chronology.ts';
import type { DeviationReportQuery, NewDeviationReport } from './deviation-report-schemas.ts';
import { isOverdue, notDistributedReason, reportDueOn } from './deviation-report-rules.ts';
import { sign, type SignatureBlock, type Signing } from '../signatures/signing.ts';
import { withSignatures } from '../signatures/signature-views.ts';

type Row = DeviationReport & { lot: { din: string } };

const withLot = { lot: { select: { din: true } } } as const;

const view = ({ lot, createdBy: _createdBy, ...row }: Row, today: Date) => ({
  ...row,
  din: lot.din,
  overdue: isOverdue(row.reportDueOn, row.closedAt, today),
});

export function createDeviationReportService({ prisma, runCommand, signing }: { prisma: PrismaClient; runCommand: RunCommand; signing: Signing }) {
  async function open(ctx: RequestContext, lotId: string, input: NewDeviationReport) {
    return runCommand(ctx, async ({ tx, audit, now }) => {
      const lot = await tx.lot.findUnique({ where: { id: lotId }, select: { id: true, recoveredAt: true } });
      if (!lot) throw notFound('Lot', lotId);
      const discoveredAt = input.discoveredAt ?? now;
      const discovery = instant('the discovery of the deviation', discoveredAt);
      assertNotFuture('discoveredAt', discovery, now);
      assertNotBefore('discoveredAt', discovery, instant('the recovery of the lot', lot.recoveredAt));
      const distributed = await tx.shipmentItem.findFirst({ where: { unit: { lotId } }, select: { id: true } });
      if (!distributed) throw ruleViolation(notDistributedReason(lotId), { field: 'params.id' });
      const row = await tx.deviationReport.create({
        data: {
          lotId,
          coreRequirement: input.coreRequirement,
          description: input.description,
          discoveredAt,
          reportDueOn: reportDueOn(discoveredAt),
          recordedBy: ctx.actor.name,
          createdBy: ctx.actor.keyId,
        },
        include: withLot,
      });
      const { lot: _lot, ...after } = row;
      await audit({ action: 'deviation_report.opened', entityType: 'deviation_report', entityId: row.id, after });
      return { ...view(row, now), signatures: [] };
    });
  }

  /** Reports by due date, then as discovered. */
  async function list(query: DeviationReportQuery) {
    const today = startOfDay(new Date());
    const open = query.open === undefined ? undefined : query.open === 'true';
    const where: Prisma.DeviationReportWhereInput = {
      lotId: query.lotId,
      ...(open === undefined ? {} : { closedAt: open ? null : { not: null } }),
      ...(query.overdue === undefined ? {} : query.overdue === 'true' ? { closedAt: null, reportDueOn: { lt: today } } : { NOT: { closedAt: null, reportDueOn: { lt: today } } }),
    };
    const rows = await prisma.deviationReport.findMany({
      where,
      include: withLot,
      orderBy: [{ reportDueOn: 'asc' }, { discoveredAt: 'asc' }, { id: 'asc' }],
      ...pageWindow(query),
    });
    const page = pageOf(rows, query.limit);
    return { items: await withSignatures(prisma, 'deviation_report', page.items.map((row) => view(row, today))), nextCursor: page.nextCursor };
  }

  async function get(id: string) {
    const row = await prisma.deviationReport.findUnique({ where: { id }, include: withLot });
    if (!row) throw notFound('Deviation report', id);
    return (await withSignatures(prisma, 'deviation_report', [view(row, new Date())]))[0]!;
  }

  /** Closing a report is signed (Part 11): the signature covers the report with its outcome and FDA reference. */
  async function close(ctx: RequestContext, id: string, input: { outcome: string; fdaReportReference?: string; signature: SignatureBlock }) {
    const grant = await signing.authorise(ctx, 'deviation_report_closure', input.signature);
    return runCommand(ctx, async (command) => {
      const { tx, audit, now } = command;
      const row = await tx.deviationReport.findUnique({ where: { id }, include: withLot });
      if (!row) throw notFound('Deviation report', id);
      const data = { closedAt: now, closedBy: ctx.actor.name, outcome: input.outcome, fdaReportReference: input.fdaReportReference ?? null };
      // Conditional: of two closures at once, one closes and the other is told it is closed.
      const { count } = await tx.deviationReport.updateMany({ where: { id, closedAt: null }, data });
      if (count !== 1) throw invalidState(`Deviation report ${id} is already closed.`, 'closed');
      await audit({ action: 'deviation_report.closed', entityType: 'deviation_report', entityId: id, before: { closedAt: null }, after: data, reason: input.outcome });
      return { ...view({ ...row, ...data }, now), signatures: [await sign(command, grant, id)] };
    });
  }

  return { open, list, get, close };
}

export type DeviationReportService = ReturnType<typeof createDeviationReportService>;
