import type { FacilityKind, PrismaClient } from '../../generated/prisma/client.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import type { RequestContext } from '../shared/context.ts';
import type { RunCommand } from '../shared/transaction.ts';
import { pageOf, type PageQuery } from '../shared/pagination.ts';

export interface NewFacility {
  kind: FacilityKind;
  name: string;
  registrationNumber?: string | null;
  isbtFacilityId?: string | null;
  euTissueEstablishmentCode?: string | null;
  medicalRecordNumberSystem?: string | null;
}

export function createFacilityService({ prisma, runCommand }: { prisma: PrismaClient; runCommand: RunCommand }) {
  async function create(ctx: RequestContext, input: NewFacility) {
    return runCommand(ctx, async ({ tx, audit }) => {
      const clash = await tx.facility.findFirst({
        where: {
          OR: [
            ...(input.isbtFacilityId ? [{ isbtFacilityId: input.isbtFacilityId }] : []),
            ...(input.euTissueEstablishmentCode ? [{ euTissueEstablishmentCode: input.euTissueEstablishmentCode }] : []),
          ],
        },
      });
      if (clash && (input.isbtFacilityId || input.euTissueEstablishmentCode)) {
        throw new DomainError('conflict', `Facility ${clash.id} already holds that ISBT 128 facility identification number or EU establishment code.`, {
          existingId: clash.id,
        });
      }
      const facility = await tx.facility.create({ data: input });
      await audit({ action: 'facility.created', entityType: 'facility', entityId: facility.id, after: facility });
      return facility;
    });
  }

  async function get(id: string) {
    const facility = await prisma.facility.findUnique({ where: { id } });
    if (!facility) throw notFound('Facility', id);
    return facility;
  }

  async function list(query: PageQuery & { kind?: FacilityKind }) {
    const rows = await prisma.facility.findMany({
      where: { kind: query.kind },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      cursor: query.cursor ? { id: query.cursor } : undefined,
      skip: query.cursor ? 1 : 0,
      take: query.limit + 1,
    });
    return pageOf(rows, query.limit);
  }

  return { create, get, list };
}

export type FacilityService = ReturnType<typeof createFacilityService>;
