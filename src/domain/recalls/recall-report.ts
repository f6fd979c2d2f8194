// The report of a recall, rebuilt from its RecallItem rows only: what the recall reached as it
// stood when it was made. Later events (a held unit discarded, a correction) do not change it.
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { Tx } from '../shared/transaction.ts';
import { notFound } from '../shared/errors.ts';

type Reader = Pick<PrismaClient, 'recall' | 'facility' | 'patient'> | Tx;

interface Item {
  unitId: string;
  unitCode: string;
  statusAtRecall: string;
  outcome: string;
  facilityId: string | null;
  patientId: string | null;
}

function byFacility<T>(items: Item[], names: Map<string, string>, shape: (item: Item) => T) {
  const groups = new Map<string | null, T[]>();
  for (const item of items) {
    const units = groups.get(item.facilityId) ?? [];
    units.push(shape(item));
    groups.set(item.facilityId, units);
  }
  return [...groups].map(([facilityId, units]) => ({ facilityId, facilityName: facilityId ? (names.get(facilityId) ?? null) : null, units }));
}

export async function recallReport(db: Reader, recallId: string) {
  const recall = await db.recall.findUnique({ where: { id: recallId }, include: { items: { orderBy: { unitCode: 'asc' } } } });
  if (!recall) throw notFound('Recall', recallId);
  const facilityIds = [...new Set(recall.items.flatMap((i) => (i.facilityId ? [i.facilityId] : [])))];
  const patientIds = [...new Set(recall.items.flatMap((i) => (i.patientId ? [i.patientId] : [])))];
  // Facility names and medical record numbers never change: reading them now keeps the report true.
  const [facilities, patients] = await Promise.all([
    db.facility.findMany({ where: { id: { in: facilityIds } }, select: { id: true, name: true } }),
    db.patient.findMany({ where: { id: { in: patientIds } }, select: { id: true, medicalRecordNumber: true } }),
  ]);
  const names = new Map(facilities.map((f) => [f.id, f.name]));
  const mrns = new Map(patients.map((p) => [p.id, p.medicalRecordNumber]));
  const of = (outcome: string) => recall.items.filter((i) => i.outcome === outcome);
  const ref = (i: Item) => ({ unitId: i.unitId, code: i.unitCode, statusAtRecall: i.statusAtRecall });
  const { items: _items, ...head } = recall;
  return {
    ...head,
    scope: recall.scope as 'lot' | 'donor',
    held: byFacility(of('held'), names, ref),
    administered: byFacility(of('administered'), names, (i) => ({ ...ref(i), patientId: i.patientId, medicalRecordNumber: i.patientId ? (mrns.get(i.patientId) ?? null) : null })),
    discarded: of('discarded').map((i) => ({ ...ref(i), facilityId: i.facilityId })),
    other: of('other').map((i) => ({ ...ref(i), facilityId: i.facilityId })),
    totals: { held: of('held').length, administered: of('administered').length, discarded: of('discarded').length, other: of('other').length },
  };
}
