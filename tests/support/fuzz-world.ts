// A small world of records for requests derived from the OpenAPI document to point at: a
// released lot's units received at a clinic, a patient, an administration with an adverse
// reaction, a recall, a key. Built the same way on every engine.
import { seedChain, seedFacilities } from './chain-fixtures.ts';
import type { TestApp } from './test-app.ts';
import type { World } from './openapi-requests.ts';
import { signed } from './signing.ts';

async function created(res: { statusCode: number; body: string; json(): any }, what: string) {
  if (res.statusCode !== 201) throw new Error(`could not create ${what}: ${res.statusCode} ${res.body}`);
  return res.json();
}

export async function buildWorld(t: TestApp): Promise<World> {
  const { prisma } = t.database;
  const facilities = await seedFacilities(prisma);
  const chain = await seedChain(prisma, facilities, { units: 6 });
  const recalled = await seedChain(prisma, facilities, { units: 1 });
  const patient = await created(await t.admin.post('/patients', { medicalRecordNumber: `FUZZ-${Date.now()}`, facilityId: facilities.clinicId }), 'a patient');
  const hour = 3_600_000;
  const administration = await created(
    await t.admin.post('/administrations', {
      unitCode: chain.units[0]!.code, patientId: patient.id, administeredAt: new Date(Date.now() - 2 * hour).toISOString(), anatomicalSite: 'heel', indication: 'plantar_fasciitis',
    }),
    'an administration',
  );
  const reaction = await created(
    await t.admin.post(`/administrations/${administration.id}/adverse-reactions`, {
      onsetAt: new Date(Date.now() - hour).toISOString(), description: 'redness', severity: 'mild', suspectedCommunicableDisease: false,
    }),
    'an adverse reaction',
  );
  const recall = await created(await t.admin.post('/recalls', { scope: 'lot', lotId: recalled.lotId, reason: 'fuzz world', ...signed('responsibility') }), 'a recall');
  const key = await t.keyFor('auditor');
  const consent = await prisma.consent.findFirstOrThrow({ where: { donorId: chain.donorId } });
  const deviation = await prisma.processingDeviation.findFirstOrThrow({ where: { lotId: chain.lotId } });
  return {
    ids: {
      bankId: facilities.bankId, hospitalId: facilities.hospitalId, clinicId: facilities.clinicId, facilityId: facilities.clinicId,
      donorId: chain.donorId, lotId: chain.lotId, shipmentId: chain.shipmentId, patientId: patient.id, administrationId: administration.id,
      adverseReactionId: reaction.id, recallId: recall.id, apiKeyId: key.keyId, consentId: consent.id, deviationId: deviation.id,
      signerId: t.adminSignerId, signatureId: recall.signatures[0].id,
    },
    unitCodes: chain.units.slice(1).map((u) => u.code),
  };
}
