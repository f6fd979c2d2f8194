// Registering, reading and listing donors.
import type { Prisma } from '../../generated/prisma/client.ts';
import { DomainError, notFound, ruleViolation } from '../shared/errors.ts';
import type { RequestContext } from '../shared/context.ts';
import { pageOf, type PageQuery } from '../shared/pagination.ts';
import type { Command } from '../shared/transaction.ts';
import { acceptanceProblem, type DeliveryFacts } from './donor-rules.ts';
import { assertNotFuture, assertRecoveryAfterDelivery, assertSpecimenFitsDelivery, calendarDay } from '../shared/chronology.ts';
import { donorInclude, donorView, requireDonor, type DonorDeps } from './donor-records.ts';
import { readJson } from '../../db/sql.ts';
import { donorByIdQuery } from './donor-sql.ts';
import { donor as donorSchema } from './donor-schemas.ts';

export interface NewDonor extends DeliveryFacts {
  donorCode: string;
  deliveryFacilityId: string;
}

export interface DonorListQuery extends PageQuery {
  donorCode?: string;
  deliveryFacilityId?: string;
  deliveredFrom?: Date;
  deliveredTo?: Date;
  eligibility?: 'eligible' | 'ineligible' | 'pending';
}

/**
 * The checks a donor's registration facts must pass, at registration and after a correction
 * (`excludeDonorId`: the donor corrected, whose recoveries and specimens must stay in order).
 */
export async function checkDeliveryFacts({ tx, now }: Command, donor: NewDonor, excludeDonorId?: string, recoveryLimitHours = 24) {
  const facility = await tx.facility.findUnique({ where: { id: donor.deliveryFacilityId } });
  if (!facility) throw notFound('Facility', donor.deliveryFacilityId);
  assertNotFuture('deliveryDate', calendarDay('the delivery date', donor.deliveryDate), now);
  if (excludeDonorId) {
    const [lots, specimens] = await Promise.all([
      tx.lot.findMany({ where: { donorId: excludeDonorId }, select: { recoveredAt: true } }),
      tx.screeningTest.findMany({ where: { donorId: excludeDonorId }, select: { specimenCollectedAt: true } }),
    ]);
    for (const lot of lots) assertRecoveryAfterDelivery('value', lot.recoveredAt, donor.deliveryDate, recoveryLimitHours);
    for (const test of specimens) assertSpecimenFitsDelivery('value', test.specimenCollectedAt, donor.deliveryDate, recoveryLimitHours);
  }
  const clash = await tx.donor.findUnique({ where: { donorCode: donor.donorCode }, select: { id: true } });
  if (clash && clash.id !== excludeDonorId) {
    throw new DomainError('conflict', `Donor code ${donor.donorCode} is already held by donor ${clash.id}.`, { existingId: clash.id });
  }
}

function listWhere(query: DonorListQuery): Prisma.DonorWhereInput {
  const current = { supersededAt: null };
  return {
    donorCode: query.donorCode,
    deliveryFacilityId: query.deliveryFacilityId,
    deliveryDate: query.deliveredFrom || query.deliveredTo ? { gte: query.deliveredFrom, lte: query.deliveredTo } : undefined,
    eligibilityDeterminations:
      query.eligibility === 'pending'
        ? { none: current }
        : query.eligibility
          ? { some: { ...current, outcome: query.eligibility } }
          : undefined,
  };
}

export function createDonorRegistry({ prisma, reader, runCommand }: DonorDeps) {
  async function register(ctx: RequestContext, input: NewDonor) {
    return runCommand(ctx, async (command) => {
      const refused = acceptanceProblem(input);
      if (refused) throw ruleViolation(refused.detail, { fields: refused.fields });
      await checkDeliveryFacts(command, input);
      const created = await command.tx.donor.create({ data: { ...input, createdBy: command.ctx.actor.keyId } });
      await command.audit({ action: 'donor.registered', entityType: 'donor', entityId: created.id, after: created });
      return donorView(await requireDonor(command.tx, created.id));
    });
  }

  /** One statement (donor-sql.ts). */
  async function get(id: string) {
    const found = await readJson(reader, donorByIdQuery(id));
    if (found === null) throw notFound('Donor', id);
    return donorSchema.parse(found);
  }

  async function list(query: DonorListQuery) {
    const rows = await prisma.donor.findMany({
      where: listWhere(query),
      include: donorInclude,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      cursor: query.cursor ? { id: query.cursor } : undefined,
      skip: query.cursor ? 1 : 0,
      take: query.limit + 1,
    });
    const page = pageOf(rows, query.limit);
    return { items: page.items.map(donorView), nextCursor: page.nextCursor };
  }

  return { register, get, list };
}
