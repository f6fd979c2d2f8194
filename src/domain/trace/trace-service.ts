// Traceability both ways. Each answer comes from ONE Prisma call with nested includes: Prisma
// resolves an include with one query per relation level (or a join), never one per row, so the
// number of SQL statements is fixed whatever the size of the chain (tests/trace-queries.test.ts
// counts them). Every answer is then recorded as an audit read event naming who asked.
import type { Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import { notFound } from '../shared/errors.ts';
import type { RequestContext } from '../shared/context.ts';
import type { RecordRead } from '../shared/transaction.ts';
import { canSee } from '../shared/facility-scope.ts';
import { toAdministrationView, unitCodeOf } from '../administrations/administration-service.ts';

const placeInclude = {
  locationFacility: { select: { name: true } },
  inTransit: { select: { toFacilityId: true } },
} as const;

const backwardInclude = {
  ...placeInclude,
  lot: {
    include: {
      donor: {
        include: {
          consents: { include: { withdrawal: true }, orderBy: { obtainedAt: 'asc' } },
          screeningTests: { orderBy: { specimenCollectedAt: 'asc' } },
          medicalHistoryReviews: { orderBy: { reviewedAt: 'asc' } },
          eligibilityDeterminations: { orderBy: { determinedAt: 'asc' } },
        },
      },
      processingSteps: { include: { deviations: { orderBy: { openedAt: 'asc' } } }, orderBy: { startedAt: 'asc' } },
      preservations: { orderBy: { preservedAt: 'asc' } },
      releaseDecisions: { orderBy: { decidedAt: 'asc' } },
    },
  },
  shipmentItems: { include: { shipment: { include: { receipt: true } } } },
  administrations: {
    include: { unit: { select: { code: true } }, correctedBy: { select: { id: true } }, adverseReactions: { orderBy: { reportedAt: 'asc' } } },
    orderBy: { createdAt: 'asc' },
  },
  dispositions: { orderBy: { occurredAt: 'asc' } },
} satisfies Prisma.UnitInclude;

const forwardUnitInclude = {
  ...placeInclude,
  administrations: {
    where: { supersededAt: null },
    include: { patient: true, facility: { select: { name: true } } },
  },
  dispositions: { orderBy: { occurredAt: 'asc' } },
} satisfies Prisma.UnitInclude;

const forwardLotInclude = { units: { include: forwardUnitInclude, orderBy: { code: 'asc' } } } satisfies Prisma.LotInclude;

type PlacedUnit = Prisma.UnitGetPayload<{ include: typeof placeInclude }>;
type ForwardUnit = Prisma.UnitGetPayload<{ include: typeof forwardUnitInclude }>;
type ForwardLot = Prisma.LotGetPayload<{ include: typeof forwardLotInclude }>;
type BackwardUnit = Prisma.UnitGetPayload<{ include: typeof backwardInclude }>;

function unitSummary(unit: PlacedUnit) {
  return {
    ...unit,
    volumeMl: unit.volumeMl === null ? null : Number(unit.volumeMl),
    place: {
      facilityId: unit.locationFacilityId,
      facilityName: unit.locationFacility?.name ?? null,
      inTransitShipmentId: unit.inTransitShipmentId,
      inTransitTo: unit.inTransit?.toFacilityId ?? null,
    },
  };
}

function forwardUnit(unit: ForwardUnit) {
  const current = unit.administrations[0];
  return {
    ...unitSummary(unit),
    dispositions: unit.dispositions,
    administration: current
      ? {
          administrationId: current.id,
          administeredAt: current.administeredAt,
          facilityId: current.facilityId,
          facilityName: current.facility.name,
          patientId: current.patientId,
          medicalRecordNumber: current.patient.medicalRecordNumber,
        }
      : null,
  };
}

const forwardLot = (lot: ForwardLot) => ({ ...lot, units: lot.units.map(forwardUnit) });

function backwardView(unit: BackwardUnit) {
  const { lot } = unit;
  return {
    unit: unitSummary(unit),
    lot,
    donor: lot.donor,
    consents: lot.donor.consents,
    screeningTests: lot.donor.screeningTests,
    medicalHistoryReviews: lot.donor.medicalHistoryReviews,
    eligibilityDeterminations: lot.donor.eligibilityDeterminations,
    processingSteps: lot.processingSteps,
    preservations: lot.preservations.map((p) => ({ ...p, storageTempMinC: Number(p.storageTempMinC), storageTempMaxC: Number(p.storageTempMaxC) })),
    releaseDecisions: lot.releaseDecisions,
    shipments: unit.shipmentItems
      .map((item) => ({ ...item.shipment, receivedAcceptable: item.receivedAcceptable }))
      .sort((a, b) => a.shippedAt.getTime() - b.shippedAt.getTime()),
    administrations: unit.administrations.map(({ adverseReactions: _reactions, ...a }) => toAdministrationView(a)),
    dispositions: unit.dispositions,
    adverseReactions: unit.administrations.flatMap((a) => a.adverseReactions),
  };
}

export type UnitTraceView = ReturnType<typeof backwardView>;

export function createTraceService({ prisma, recordRead }: { prisma: PrismaClient; recordRead: RecordRead }) {
  /** The backward trace without access checks or read event: for services that embed it. */
  async function loadBackward(where: Prisma.UnitWhereUniqueInput) {
    const unit = await prisma.unit.findUnique({ where, include: backwardInclude });
    return unit ? { unit, view: backwardView(unit) } : null;
  }

  async function unitTrace(ctx: RequestContext, codeInput: string) {
    const code = unitCodeOf(codeInput);
    const found = await loadBackward({ code });
    // A clinician traces units that are, or were administered, at the clinician's facility.
    if (!found || !canSee(ctx, found.unit.locationFacilityId, ...found.unit.administrations.map((a) => a.facilityId))) throw notFound('Unit', code);
    await recordRead(ctx, { action: 'unit.trace_read', entityType: 'unit', entityId: found.unit.id, after: { code } });
    return found.view;
  }

  async function lotTrace(ctx: RequestContext, id: string) {
    const lot = await prisma.lot.findUnique({ where: { id }, include: { ...forwardLotInclude, donor: { select: { id: true, donorCode: true } } } });
    if (!lot) throw notFound('Lot', id);
    await recordRead(ctx, { action: 'lot.trace_read', entityType: 'lot', entityId: id, after: { units: lot.units.length } });
    return { donor: lot.donor, lot: forwardLot(lot) };
  }

  async function donorTrace(ctx: RequestContext, id: string) {
    const donor = await prisma.donor.findUnique({ where: { id }, include: { lots: { include: forwardLotInclude, orderBy: { recoveredAt: 'asc' } } } });
    if (!donor) throw notFound('Donor', id);
    await recordRead(ctx, { action: 'donor.trace_read', entityType: 'donor', entityId: id, after: { lots: donor.lots.length } });
    return { donor, lots: donor.lots.map(forwardLot) };
  }

  async function exposures(ctx: RequestContext, patientId: string) {
    const patient = await prisma.patient.findUnique({
      where: { id: patientId },
      include: {
        administrations: {
          where: { supersededAt: null },
          include: { unit: { include: { lot: { include: { donor: { select: { id: true, donorCode: true } } } } } } },
          orderBy: { administeredAt: 'asc' },
        },
      },
    });
    if (!patient || !canSee(ctx, patient.facilityId)) throw notFound('Patient', patientId);
    // The read event names the patient by id only: identifiers stay out of the trail.
    await recordRead(ctx, { action: 'patient.exposures_read', entityType: 'patient', entityId: patient.id, after: { exposures: patient.administrations.length } });
    return {
      patient,
      exposures: patient.administrations.map((a) => ({ ...a, administrationId: a.id, unit: a.unit, lot: a.unit.lot, donor: a.unit.lot.donor })),
    };
  }

  return { loadBackward, unitTrace, lotTrace, donorTrace, exposures };
}

export type TraceService = ReturnType<typeof createTraceService>;
