// Units: the doses a lot is split into, each with its own code, looked up as printed.
import type { PrismaClient } from '../../generated/prisma/client.ts';
import { findLot } from '../lots/lot-service.ts';
import { latestPreservation } from '../lots/release-gate.ts';
import type { RequestContext } from '../shared/context.ts';
import { DomainError, invalidState, notFound, ruleViolation } from '../shared/errors.ts';
import type { RunCommand } from '../shared/transaction.ts';
import { assignDivisions, UNDIVIDED } from './divisions.ts';
import { buildUnitCode } from './identification.ts';
import { buildLabel } from './label.ts';
import { withSignatures } from '../signatures/signature-views.ts';
import { printLabel, type PrintFormat } from './label-formats.ts';
import type { NewUnit } from './unit-schemas.ts';
import { findUnitByCode, readUnitByCode, unitView } from './unit-views.ts';
import type { SqlReader } from '../../db/sql.ts';
import { calendarDay, startOfDay } from '../shared/dates.ts';

export function createUnitService({ prisma, reader, runCommand }: { prisma: PrismaClient; reader: SqlReader; runCommand: RunCommand }) {
  /** Splits a lot into units at the bank; they inherit the lot's status (quarantine or released). */
  async function split(ctx: RequestContext, lotId: string, requested: NewUnit[]) {
    assertDistinctDivisions(requested);
    return runCommand(ctx, async ({ tx, auditMany }) => {
      const lot = await findLot(tx, lotId);
      if (lot.status !== 'quarantine' && lot.status !== 'released') {
        throw invalidState(`The lot ${lot.id} is ${lot.status}; only a lot in quarantine or released can be split into units.`, lot.status);
      }
      if (lot.reviewFlaggedAt) {
        throw ruleViolation(`The lot ${lot.id} is flagged for review after the donor withdrew her consent; it cannot be split into units.`, { field: 'params.id' });
      }
      const preservation = await latestPreservation(tx, lot.id);
      if (!preservation) throw ruleViolation(`Record the preservation (and expiry) of lot ${lot.id} before splitting it into units.`, { field: 'params.id' });
      const late = requested.findIndex((u) => u.expiresOn > preservation.expiresOn);
      if (late >= 0) {
        throw ruleViolation(`A unit cannot expire after its lot (${calendarDay(preservation.expiresOn)}).`, { field: `units.${late}.expiresOn` });
      }
      const existing = await tx.unit.findMany({ where: { lotId }, select: { productCode: true, division: true } });
      assertUndividedRule(requested, existing, lot.id);
      const clash = existing.filter((e) => requested.some((r) => r.division === e.division && r.productCode === e.productCode));
      if (clash.length) {
        const named = clash.map((e) => `${e.productCode} ${e.division}`);
        throw new DomainError('conflict', `Lot ${lot.id} already has units with product and division ${named.join(', ')}.`, { divisions: clash.map((e) => e.division) });
      }
      const divisions = assignDivisions(requested, existing, lot.id);
      const rows = requested.map((input, i) => ({
        ...input,
        division: divisions[i]!,
        lotId: lot.id,
        code: buildUnitCode(lot.din, input.productCode, divisions[i]!),
        status: lot.status,
        locationFacilityId: lot.bankFacilityId,
        createdBy: ctx.actor.keyId,
      }));
      // One insert for the whole split; returned in the order requested.
      const byCode = new Map((await tx.unit.createManyAndReturn({ data: rows })).map((u) => [u.code, u]));
      const created = rows.map((r) => byCode.get(r.code)!);
      await auditMany(created.map((unit) => ({ action: 'unit.created', entityType: 'unit', entityId: unit.id, after: unit })));
      return { items: created.map((unit) => unitView({ ...unit, lot })) };
    });
  }

  /** One statement (unit-sql.ts). */
  async function getByCode(ctx: RequestContext, code: string) {
    return readUnitByCode(reader, ctx, code);
  }

  async function label(ctx: RequestContext, code: string) {
    const unit = await findUnitByCode(prisma, ctx, code);
    const [bank, preservation, release] = await Promise.all([
      prisma.facility.findUniqueOrThrow({ where: { id: unit.lot.bankFacilityId } }),
      latestPreservation(prisma, unit.lotId),
      prisma.releaseDecision.findFirst({ where: { lotId: unit.lotId, decision: 'released' }, orderBy: [{ decidedAt: 'desc' }, { createdAt: 'desc' }] }),
    ]);
    const signed = release ? (await withSignatures(prisma, 'release_decision', [release]))[0]! : null;
    return buildLabel(unit, bank, preservation, startOfDay(new Date()), signed);
  }

  /** The code of the unit with this id (FHIR reads address units by id). */
  async function codeOf(id: string) {
    const unit = await prisma.unit.findUnique({ where: { id }, select: { code: true } });
    if (!unit) throw notFound('Unit', id);
    return unit.code;
  }

  /** The label laid out for printing: SVG, PDF or ZPL. */
  async function printedLabel(ctx: RequestContext, code: string, format: PrintFormat) {
    return printLabel(await label(ctx, code), format);
  }

  return { split, getByCode, codeOf, label, printedLabel };
}

function assertDistinctDivisions(requested: NewUnit[]) {
  const seen = new Set<string>();
  const errors = [];
  for (const [i, u] of requested.entries()) {
    if (u.division === undefined) continue;
    const key = `${u.productCode} ${u.division}`;
    if (seen.has(key)) errors.push({ field: `units.${i}.division`, message: `division ${u.division} of product ${u.productCode} appears twice` });
    seen.add(key);
  }
  if (errors.length) throw ruleViolation('Each unit of a split needs its own division.', { errors });
}

/** 000 means "not divided": only as the one and only unit of a product of the lot. */
function assertUndividedRule(requested: NewUnit[], existing: { productCode: string; division: string }[], lotId: string) {
  for (const productCode of new Set(requested.map((u) => u.productCode))) {
    const mine = requested.filter((u) => u.productCode === productCode);
    const before = existing.filter((e) => e.productCode === productCode);
    const undivided = mine.some((u) => u.division === UNDIVIDED);
    if ((undivided && (mine.length > 1 || before.length > 0)) || before.some((e) => e.division === UNDIVIDED)) {
      throw ruleViolation(`Division 000 marks an undivided product: it must be the only unit of product ${productCode} in lot ${lotId}.`, { fields: requested.flatMap((u, i) => (u.productCode === productCode && u.division === UNDIVIDED ? [`units.${i}.division`] : [])).concat(['units']).slice(0, 1) });
    }
  }
}

export type UnitService = ReturnType<typeof createUnitService>;
