// Lots: one recovered placenta (or one tissue type of it), from recovery to the QA decision.
import type { PrismaClient, ProductStatus } from '../../generated/prisma/client.ts';
import { donorStanding } from '../donors/donor-standing.ts';
import type { DomainSettings } from '../services.ts';
import type { RequestContext } from '../shared/context.ts';
import { DomainError, invalidState, notFound, ruleViolation } from '../shared/errors.ts';
import { pageOf, type PageQuery } from '../shared/pagination.ts';
import type { Command, RunCommand, Tx } from '../shared/transaction.ts';
import { euDonationSequence, printedDin } from '../units/identification.ts';
import { allocateDin } from './din-allocation.ts';
import { lotDetail, type NewLot, type ReleaseInput } from './lot-schemas.ts';
import { readJson, type SqlReader } from '../../db/sql.ts';
import { lotByIdQuery } from './lot-sql.ts';

/** The lot as lotByIdQuery builds it: everything but the printed DIN. */
const lotDetailRow = lotDetail.omit({ printedDin: true });
import { moveFollowingUnits, moveLot } from './lot-status.ts';
import { lotView } from './lot-views.ts';
import { assertAcceptableTissueType } from './processing-rules.ts';
import { failedReleasePrerequisites } from './release-gate.ts';
import { startOfDay } from '../shared/dates.ts';
import { assertNotBefore, assertNotFuture, assertRecoveryAfterDelivery, assertRecoveryYearFitsDin, instant, lastOf } from '../shared/chronology.ts';
import { consentInForceWhere } from '../donors/donor-standing.ts';
import { sign, type Signing, type SigningGrant } from '../signatures/signing.ts';
import { sameHolder } from '../signatures/signer-identity.ts';

interface Deps {
  prisma: PrismaClient;
  /** For the reads PostgreSQL answers in one statement (lot-sql.ts). */
  reader: SqlReader;
  runCommand: RunCommand;
  settings: DomainSettings;
  signing: Signing;
}

export async function findLot(tx: Tx | PrismaClient, id: string) {
  const lot = await tx.lot.findUnique({ where: { id } });
  if (!lot) throw notFound('Lot', id);
  return lot;
}

export function createLotService({ prisma, reader, runCommand, settings, signing }: Deps) {
  async function create(ctx: RequestContext, input: NewLot) {
    assertAcceptableTissueType(input.tissueType);
    return runCommand(ctx, async ({ tx, audit, now }) => {
      // The DIN's year comes from the recovery: a recovery still to come would take a number early.
      assertNotFuture('recoveredAt', instant('the recovery', input.recoveredAt), now);
      assertRecoveryYearFitsDin('recoveredAt', input.recoveredAt, now);
      const bank = await tx.facility.findUnique({ where: { id: input.bankFacilityId } });
      if (!bank || bank.kind !== 'tissue_bank' || !bank.isbtFacilityId) {
        throw ruleViolation(`Facility ${input.bankFacilityId} is not a tissue bank with an ISBT 128 facility identification number, so it cannot issue a DIN.`, { field: 'bankFacilityId' });
      }
      if (!(await tx.facility.findUnique({ where: { id: input.recoveryFacilityId } }))) {
        throw ruleViolation(`The recovery facility ${input.recoveryFacilityId} does not exist.`, { field: 'recoveryFacilityId' });
      }
      const donor = await tx.donor.findUnique({ where: { id: input.donorId } });
      if (!donor) throw ruleViolation(`The donor ${input.donorId} does not exist.`, { field: 'donorId' });
      if (!(await donorStanding(tx, input.donorId)).consentInForce) {
        throw ruleViolation(`The donor ${input.donorId} has no consent in force: no tissue may be recovered into a lot.`, { field: 'donorId' });
      }
      assertRecoveryAfterDelivery('recoveredAt', input.recoveredAt, donor.deliveryDate, settings.recoveryLimitHours);
      // Consent comes first: a consent in force obtained at or before the recovery.
      const consent = await tx.consent.findFirst({ where: { donorId: donor.id, ...consentInForceWhere }, orderBy: { obtainedAt: 'asc' }, select: { obtainedAt: true } });
      assertNotBefore('recoveredAt', instant('the recovery', input.recoveredAt), consent && instant('the first consent in force', consent.obtainedAt));
      const { din, checkCharacter } = await allocateDin(tx, bank.isbtFacilityId, input.recoveredAt.getUTCFullYear());
      const lot = await tx.lot.create({
        data: { ...input, din, checkCharacter, euDonationSequence: euDonationSequence(bank.euTissueEstablishmentCode, din), createdBy: ctx.actor.keyId },
      });
      await audit({ action: 'lot.created', entityType: 'lot', entityId: lot.id, after: lot });
      return lotView(lot);
    });
  }

  /** One statement (lot-sql.ts). */
  async function get(id: string) {
    const found = await readJson(reader, lotByIdQuery(id));
    if (found === null) throw notFound('Lot', id);
    const lot = lotDetailRow.parse(found);
    return { ...lot, printedDin: printedDin(lot.din) };
  }

  async function list(query: PageQuery & { status?: ProductStatus; donorId?: string }) {
    const rows = await prisma.lot.findMany({
      where: { status: query.status, donorId: query.donorId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      cursor: query.cursor ? { id: query.cursor } : undefined,
      skip: query.cursor ? 1 : 0,
      take: query.limit + 1,
    });
    const page = pageOf(rows, query.limit);
    return { ...page, items: page.items.map(lotView) };
  }

  /** QA release: every prerequisite met, signed by someone who did not record the processing. */
  async function release(ctx: RequestContext, lotId: string, input: ReleaseInput) {
    const grant = await signing.authorise(ctx, 'lot_release', input.signature);
    return runCommand(ctx, async (command) => {
      const { tx, now } = command;
      const lot = await findLot(tx, lotId);
      if (lot.status !== 'quarantine') throw invalidState(`The lot ${lot.id} is ${lot.status}; only a lot in quarantine can be released.`, lot.status);
      await assertNotProcessor(tx, lot.id, lot.processingCompletedBy, ctx);
      await assertDecisionInOrder(command, lot, input.decidedAt);
      const eligible = await tx.eligibilityDetermination.findFirst({ where: { donorId: lot.donorId, supersededAt: null, outcome: 'eligible' }, select: { determinedAt: true } });
      assertNotBefore('decidedAt', instant('the release', input.decidedAt), eligible && instant("the donor's eligible determination", eligible.determinedAt));
      const failed = await failedReleasePrerequisites(tx, lot, settings.screeningPanel, startOfDay(now));
      if (failed.length) {
        throw new DomainError('prerequisites_unmet', `The lot ${lot.id} cannot be released: ${failed.map((f) => f.detail).join(' ')}`, { failedPrerequisites: failed });
      }
      return decide(command, lot, 'released', input, grant);
    });
  }

  async function reject(ctx: RequestContext, lotId: string, input: ReleaseInput) {
    const grant = await signing.authorise(ctx, 'lot_rejection', input.signature);
    return runCommand(ctx, async (command) => {
      const lot = await findLot(command.tx, lotId);
      if (lot.status !== 'quarantine') throw invalidState(`The lot ${lot.id} is ${lot.status}; only a lot in quarantine can be rejected.`, lot.status);
      await assertDecisionInOrder(command, lot, input.decidedAt);
      return decide(command, lot, 'rejected', input, grant);
    });
  }

  return { create, get, list, release, reject };
}

async function decide(command: Command, lot: Awaited<ReturnType<typeof findLot>>, decision: 'released' | 'rejected', input: ReleaseInput, grant: SigningGrant) {
  const { tx, audit, auditMany, ctx } = command;
  const record = await tx.releaseDecision.create({
    data: { lotId: lot.id, decision, decidedBy: ctx.actor.name, decidedAt: input.decidedAt, reason: input.reason, createdBy: ctx.actor.keyId },
  });
  await audit({ action: `lot.release_decision_recorded`, entityType: 'release_decision', entityId: record.id, after: record, reason: input.reason });
  await moveLot(tx, audit, lot, decision, `lot.${decision}`, input.reason);
  await moveFollowingUnits(tx, auditMany, lot.id, 'quarantine', decision, `unit.${decision}`, input.reason);
  const signature = await sign(command, grant, record.id);
  return { ...record, signatures: [signature] };
}

/** A QA decision closes quarantine: it follows every dated fact of the lot, and is not in the future. */
async function assertDecisionInOrder({ tx, now }: Command, lot: Awaited<ReturnType<typeof findLot>>, decidedAt: Date) {
  const decision = instant('the QA decision', decidedAt);
  assertNotFuture('decidedAt', decision, now);
  const [steps, preservations, closures] = await Promise.all([
    tx.processingStep.aggregate({ where: { lotId: lot.id }, _max: { finishedAt: true } }),
    tx.preservation.aggregate({ where: { lotId: lot.id }, _max: { preservedAt: true } }),
    tx.processingDeviation.aggregate({ where: { lotId: lot.id }, _max: { closedAt: true } }),
  ]);
  const last = lastOf(
    instant('the recovery', lot.recoveredAt),
    steps._max.finishedAt && instant('the last processing step', steps._max.finishedAt),
    lot.processingCompletedAt && instant('the processing completion', lot.processingCompletedAt),
    preservations._max.preservedAt && instant('the last preservation', preservations._max.preservedAt),
    closures._max.closedAt && instant('the closure of the last deviation', closures._max.closedAt),
  );
  assertNotBefore('decidedAt', decision, last);
}

/**
 * Segregation of duties: whoever recorded the lot's processing may not release it, with this key
 * or any other key of theirs (a key rotated since).
 */
async function assertNotProcessor(tx: Tx, lotId: string, completedBy: string | null, ctx: RequestContext) {
  const keyId = ctx.actor.keyId;
  if (!keyId) return;
  const steps = await tx.processingStep.findMany({ where: { lotId }, select: { createdBy: true }, distinct: ['createdBy'] });
  const processors = [...new Set([completedBy, ...steps.map((s) => s.createdBy)].filter((k): k is string => k !== null))];
  let recorded = false;
  for (const processor of processors) if (await sameHolder(tx, processor, keyId)) recorded = true;
  if (recorded) {
    throw new DomainError('forbidden', `You recorded processing of lot ${lotId}; someone else must release it (segregation of duties).`, { rule: 'segregation_of_duties' });
  }
}

export type LotService = ReturnType<typeof createLotService>;
