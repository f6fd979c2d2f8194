// Administration of a unit to a patient, and corrections as new versions. "A unit is
// administered at most once" is held by the database twice over: the unit moves with one
// conditional UPDATE … WHERE status = 'distributed', and Administration.activeUnitId is UNIQUE.
import type { Administration, PrismaClient } from '../../generated/prisma/client.ts';
import { invalidState, notFound } from '../shared/errors.ts';
import type { RequestContext } from '../shared/context.ts';
import type { RunCommand, Tx } from '../shared/transaction.ts';
import { unitCodeOf } from '../units/unit-views.ts';
import { canSee, confinedFacility, listedFacility } from '../shared/facility-scope.ts';
import { pageOf, pageWindow } from '../shared/pagination.ts';
import type { AdministrationListQuery } from './administration-schemas.ts';
import { administrationRefusal, expiryRefusal } from './administration-rules.ts';
import { assertNotAfter, assertNotBefore, assertNotFuture, firstOf, instant } from '../shared/chronology.ts';
import { lastEventOf } from '../units/unit-timeline.ts';
import { sign, type SignatureBlock, type Signing } from '../signatures/signing.ts';
import { withSignatures } from '../signatures/signature-views.ts';

export interface NewAdministration {
  unitCode: string;
  patientId: string;
  administeredAt: Date;
  anatomicalSite: string;
  indication: string;
  indicationDetail?: string;
  notes?: string;
}

export interface AdministrationCorrection {
  patientId?: string;
  administeredAt?: Date;
  anatomicalSite?: string;
  indication?: string;
  indicationDetail?: string;
  notes?: string;
  reasonCode: string;
  reasonText: string;
  signature: SignatureBlock;
}

type Row = Administration & { unit: { code: string }; correctedBy: { id: string } | null };

export function toAdministrationView({ unit, correctedBy, ...row }: Row) {
  return { ...row, unitCode: unit.code, current: row.supersededAt === null, correctedById: correctedBy?.id ?? null };
}

const viewInclude = { unit: { select: { code: true } }, correctedBy: { select: { id: true } } } as const;

const indicationText = (indication: string, detail?: string) => (indication === 'other' && detail ? `other: ${detail}` : indication);

// One reading of a scanned or typed unit code for every service (a mistyped check character is a 400).
export { unitCodeOf } from '../units/unit-views.ts';

/** The patient, if the actor may treat them: a clinician's patients are those of the clinician's facility. */
async function patientFor(tx: Tx, ctx: RequestContext, patientId: string, facilityId?: string) {
  const patient = await tx.patient.findUnique({ where: { id: patientId } });
  if (!patient || !canSee(ctx, patient.facilityId) || (facilityId && patient.facilityId !== facilityId)) {
    throw notFound('Patient', patientId);
  }
  return patient;
}

export function createAdministrationService({ prisma, runCommand, signing }: { prisma: PrismaClient; runCommand: RunCommand; signing: Signing }) {
  async function administer(ctx: RequestContext, input: NewAdministration) {
    const code = unitCodeOf(input.unitCode, 'body.unitCode');
    return runCommand(ctx, async ({ tx, audit, now }) => {
      const dose = instant('the administration', input.administeredAt);
      assertNotFuture('administeredAt', dose, now);
      const patient = await patientFor(tx, ctx, input.patientId);
      const facilityId = confinedFacility(ctx) ?? patient.facilityId;
      const unit = await tx.unit.findUnique({ where: { code }, include: { lot: { select: { reviewFlaggedAt: true, reviewFlagReason: true } } } });
      // For a clinician, a unit elsewhere does not exist: no 409 or 422 may tell its state.
      if (!unit || !canSee(ctx, unit.locationFacilityId)) throw notFound('Unit', code);
      const receipt = await tx.shipmentItem.findFirst({
        where: { unitId: unit.id, receivedAcceptable: { not: false }, shipment: { toFacilityId: facilityId, receipt: { isNot: null } } },
        select: { id: true },
      });
      const refusal = administrationRefusal({ ...unit, receivedHere: receipt !== null, lotFlaggedForReview: unit.lot.reviewFlaggedAt !== null }, facilityId, input.administeredAt);
      if (refusal) throw refusal;
      assertNotBefore('administeredAt', dose, await lastEventOf(tx, unit.id));

      // The guard the database holds: only one request can move the unit out of 'distributed'.
      const moved = await tx.unit.updateMany({
        where: { id: unit.id, status: 'distributed', locationFacilityId: facilityId },
        data: { status: 'administered' },
      });
      if (moved.count !== 1) throw invalidState(`The unit ${code} has already been administered or moved.`, 'administered', { unitCode: code });

      const created = await tx.administration.create({
        data: {
          unitId: unit.id,
          activeUnitId: unit.id,
          patientId: patient.id,
          facilityId,
          administeredAt: input.administeredAt,
          clinician: ctx.actor.name,
          anatomicalSite: input.anatomicalSite,
          indication: indicationText(input.indication, input.indicationDetail),
          notes: input.notes ?? null,
          createdBy: ctx.actor.keyId,
        },
        include: viewInclude,
      });
      await audit({ action: 'unit.administered', entityType: 'unit', entityId: unit.id, before: { status: unit.status }, after: { status: 'administered', administrationId: created.id } });
      await audit({ action: 'administration.created', entityType: 'administration', entityId: created.id, after: { ...created, unit: undefined, correctedBy: undefined } });
      return { ...toAdministrationView(created), signatures: [] };
    });
  }

  /** A correction is a new version, signed by who corrects it (Part 11): the signature covers the new version. */
  async function correct(ctx: RequestContext, id: string, { signature: block, ...input }: AdministrationCorrection) {
    const grant = await signing.authorise(ctx, 'administration_correction', block);
    return runCommand(ctx, async (command) => {
      const { tx, audit, now } = command;
      const old = await tx.administration.findUnique({ where: { id }, include: { ...viewInclude, unit: { select: { code: true, expiresOn: true } } } });
      if (!old || !canSee(ctx, old.facilityId)) throw notFound('Administration', id);
      if (old.supersededAt) {
        throw invalidState(`Administration ${id} was superseded by correction ${old.correctedBy?.id}; correct the current version.`, 'superseded', {
          correctedById: old.correctedBy?.id ?? null,
        });
      }
      const administeredAt = input.administeredAt ?? old.administeredAt;
      const dose = instant('the administration', administeredAt);
      assertNotFuture('administeredAt', dose, now);
      const refusal = expiryRefusal({ code: old.unit.code, expiresOn: old.unit.expiresOn }, administeredAt);
      if (refusal) throw refusal;
      // A corrected time keeps the order: after the unit's receipt, before any reaction reported on the dose.
      assertNotBefore('administeredAt', dose, await lastEventOf(tx, old.unitId, { withoutAdministrations: true }));
      const onset = await tx.adverseReaction.aggregate({ where: { administration: { unitId: old.unitId } }, _min: { onsetAt: true } });
      assertNotAfter('administeredAt', dose, firstOf(onset._min.onsetAt && instant('the onset of an adverse reaction reported on it', onset._min.onsetAt)));
      // The corrected patient must be a patient of the facility where the unit was administered.
      if (input.patientId) await patientFor(tx, ctx, input.patientId, old.facilityId);

      // Release the old version's hold on the unit first: activeUnitId is unique.
      const superseded = await tx.administration.updateMany({ where: { id, supersededAt: null }, data: { supersededAt: now, activeUnitId: null } });
      if (superseded.count !== 1) throw invalidState(`Administration ${id} has just been corrected by someone else.`, 'superseded');
      const next = await tx.administration.create({
        data: {
          unitId: old.unitId,
          activeUnitId: old.unitId,
          patientId: input.patientId ?? old.patientId,
          facilityId: old.facilityId,
          administeredAt,
          clinician: old.clinician,
          anatomicalSite: input.anatomicalSite ?? old.anatomicalSite,
          indication: input.indication ? indicationText(input.indication, input.indicationDetail) : old.indication,
          notes: input.notes ?? old.notes,
          correctsId: old.id,
          correctionReasonCode: input.reasonCode,
          correctionReason: input.reasonText,
          createdBy: ctx.actor.keyId,
        },
        include: viewInclude,
      });
      const { unit: _u, correctedBy: _c, ...before } = old;
      const { unit: _nu, correctedBy: _nc, ...after } = next;
      const reason = `${input.reasonCode}: ${input.reasonText}`;
      await audit({ action: 'administration.corrected', entityType: 'administration', entityId: old.id, before, after, reason });
      // The new version is a record of its own: its trail starts here, as an original's does.
      await audit({ action: 'administration.created', entityType: 'administration', entityId: next.id, after, reason });
      return { ...toAdministrationView(next), signatures: [await sign(command, grant, next.id)] };
    });
  }

  async function get(ctx: RequestContext, id: string) {
    const row = await prisma.administration.findUnique({ where: { id }, include: viewInclude });
    if (!row || !canSee(ctx, row.facilityId)) throw notFound('Administration', id);
    return (await withSignatures(prisma, 'administration', [toAdministrationView(row)]))[0]!;
  }

  /** Administrations (every version, oldest first) by facility, patient or unit; a clinician's are those at her facility. */
  async function list(ctx: RequestContext, query: AdministrationListQuery) {
    const facilityId = listedFacility(ctx, query.facilityId);
    if (query.patientId) {
      const patient = await prisma.patient.findUnique({ where: { id: query.patientId }, select: { facilityId: true } });
      if (!patient || !canSee(ctx, patient.facilityId)) throw notFound('Patient', query.patientId);
    }
    let unitId: string | undefined;
    if (query.unitCode) {
      const code = unitCodeOf(query.unitCode, 'query.unitCode');
      const unit = await prisma.unit.findUnique({ where: { code }, select: { id: true, locationFacilityId: true, administrations: { select: { facilityId: true } } } });
      // As for its trace: a clinician sees a unit at, or administered at, her facility.
      if (!unit || !canSee(ctx, unit.locationFacilityId, ...unit.administrations.map((a) => a.facilityId))) throw notFound('Unit', code);
      unitId = unit.id;
    }
    const rows = await prisma.administration.findMany({
      where: {
        facilityId,
        patientId: query.patientId,
        unitId,
        ...(query.current ? { supersededAt: query.current === 'true' ? null : { not: null } } : {}),
      },
      include: viewInclude,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      ...pageWindow(query),
    });
    const page = pageOf(rows, query.limit);
    return { items: await withSignatures(prisma, 'administration', page.items.map(toAdministrationView)), nextCursor: page.nextCursor };
  }

  return { administer, correct, get, list };
}

export type AdministrationService = ReturnType<typeof createAdministrationService>;
