// The recall notice outbox. A recall, a consent withdrawal that flags lots for review, and an
// adverse-reaction investigation that implicates the donor each call queueNotices inside their
// own transaction: one notice per consignee (a facility other than the bank that holds units of
// the lots, or where some were administered), listing its units held and administered. The
// delivery worker (notice-worker.ts) sends them; nothing is sent from inside a transaction.
import { randomUUID } from 'node:crypto';
import type { Command } from '../shared/transaction.ts';

export type NoticeKind = 'recall' | 'consent_withdrawal' | 'adverse_reaction';

export interface NoticeCause {
  kind: NoticeKind;
  /** The recall, consent withdrawal or adverse reaction that caused the notice. */
  sourceId: string;
  recallId: string | null;
  lotIds: string[];
  reason: string;
}

/** Statuses of a unit that a consignee may still hold: it must set them aside. */
const HOLDABLE = ['released', 'distributed', 'quarantine', 'on_hold', 'recalled'];

const ACTIONS: Record<NoticeKind, string> = {
  recall: 'Recall: quarantine the units held and do not use them; notify the patients who received the units administered; acknowledge.',
  consent_withdrawal: 'The donor withdrew her consent: the lots are under review. Do not use the units held; keep them aside until the tissue bank decides.',
  adverse_reaction: 'An adverse reaction investigation implicates the donor of these units: do not use the units held; review the patients who received the units administered.',
};

export async function queueNotices(command: Command, cause: NoticeCause): Promise<{ id: string; facilityId: string }[]> {
  const { tx, now, auditMany } = command;
  if (!cause.lotIds.length) return [];
  const units = await tx.unit.findMany({
    where: { lotId: { in: cause.lotIds } },
    orderBy: { code: 'asc' },
    select: {
      id: true,
      code: true,
      status: true,
      locationFacilityId: true,
      inTransit: { select: { toFacilityId: true } },
      lot: { select: { din: true, bankFacilityId: true } },
      administrations: { where: { supersededAt: null }, select: { id: true, facilityId: true, patientId: true, administeredAt: true, patient: { select: { medicalRecordNumber: true } } } },
    },
  });
  type Held = { unitId: string; code: string; din: string; status: string; inTransit: boolean };
  type Given = { unitId: string; code: string; din: string; administrationId: string; administeredAt: string; patientId: string; medicalRecordNumber: string };
  const byFacility = new Map<string, { held: Held[]; administered: Given[] }>();
  const of = (facilityId: string) => byFacility.get(facilityId) ?? byFacility.set(facilityId, { held: [], administered: [] }).get(facilityId)!;
  for (const u of units) {
    const given = u.administrations[0];
    if (u.status === 'administered' && given) {
      of(given.facilityId).administered.push({
        unitId: u.id, code: u.code, din: u.lot.din, administrationId: given.id, administeredAt: given.administeredAt.toISOString(), patientId: given.patientId,
        medicalRecordNumber: given.patient.medicalRecordNumber,
      });
      continue;
    }
    const facilityId = u.locationFacilityId ?? u.inTransit?.toFacilityId ?? null;
    // Units at the bank are the bank's own business: it is not a consignee.
    if (!facilityId || facilityId === u.lot.bankFacilityId || !HOLDABLE.includes(u.status)) continue;
    of(facilityId).held.push({ unitId: u.id, code: u.code, din: u.lot.din, status: u.status, inTransit: u.locationFacilityId === null });
  }
  if (!byFacility.size) return [];
  const names = new Map((await tx.facility.findMany({ where: { id: { in: [...byFacility.keys()] } }, select: { id: true, name: true } })).map((f) => [f.id, f.name]));
  const rows = [...byFacility].map(([facilityId, units]) => {
    const id = randomUUID();
    const payload = {
      noticeId: id,
      kind: cause.kind,
      issuedAt: now.toISOString(),
      reason: cause.reason,
      action: ACTIONS[cause.kind],
      source: { type: cause.kind, id: cause.sourceId },
      recallId: cause.recallId,
      facility: { id: facilityId, name: names.get(facilityId) ?? null },
      units,
      acknowledge: cause.recallId ? { method: 'POST', path: `/recalls/${cause.recallId}/acknowledgements` } : null,
    };
    return { id, kind: cause.kind, sourceId: cause.sourceId, recallId: cause.recallId, facilityId, payload, createdAt: now, nextAttemptAt: now };
  });
  await tx.recallNotice.createMany({ data: rows });
  // The trail names units and patients by id only: medical record numbers stay in the notice.
  await auditMany(
    rows.map((r) => ({
      action: 'recall_notice.queued',
      entityType: 'recall_notice',
      entityId: r.id,
      after: { kind: r.kind, sourceId: r.sourceId, recallId: r.recallId, facilityId: r.facilityId, held: r.payload.units.held.length, administered: r.payload.units.administered.length },
      reason: cause.reason,
    })),
  );
  return rows.map((r) => ({ id: r.id, facilityId: r.facilityId }));
}
