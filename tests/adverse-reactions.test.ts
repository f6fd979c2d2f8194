import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { engines } from './support/engines.ts';
import { startTestApp, type Client, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { seedChain, seedFacilities, hoursAgo, expectRefusedWithoutWrites, type ChainFacilities } from './support/chain-fixtures.ts';
import { reportDueOn } from '../src/domain/adverse-reactions/adverse-reaction-rules.ts';

describe.each(engines)('adverse reactions and their investigations on %s', (engine) => {
  let t: TestApp;
  let f: ChainFacilities;
  let clinician: Client;
  let quality: Client;
  let patientId: string;

  const refused = (request: () => Promise<LightMyRequestResponse>, status: number, code: string) =>
    expectRefusedWithoutWrites(t.database.prisma, request, status, code);

  async function administered(): Promise<string> {
    const { units } = await seedChain(t.database.prisma, f, { units: 1 });
    const res = await clinician.post('/administrations', { unitCode: units[0]!.code, patientId, administeredAt: hoursAgo(48), anatomicalSite: 'ulcer bed', indication: 'chronic_wound' });
    return res.json().id;
  }

  const reaction = (overrides: Record<string, unknown> = {}) => ({
    onsetAt: hoursAgo(24), description: 'fever and erythema at the site', severity: 'moderate', suspectedCommunicableDisease: false, ...overrides,
  });

  beforeAll(async () => {
    t = await startTestApp(engine);
    f = await seedFacilities(t.database.prisma);
    clinician = await t.keyFor('clinician', { facilityId: f.clinicId, holderName: 'Dr Okafor' });
    quality = await t.keyFor('quality', { holderName: 'QA Kim' });
    patientId = (await clinician.post('/patients', { medicalRecordNumber: 'MRN-AR' })).json().id;
  });
  afterAll(async () => t?.close());

  it('due dates: 15 days for a suspected communicable disease, 45 days otherwise, from discovery', () => {
    const discovered = new Date('2026-03-01T22:00:00Z');
    expect(reportDueOn(discovered, true).toISOString().slice(0, 10)).toBe('2026-03-16');
    expect(reportDueOn(discovered, false).toISOString().slice(0, 10)).toBe('2026-04-15');
  });

  it('opens an investigation with its report due date and the reporter [REQ-ADV-01]', async () => {
    const administrationId = await administered();
    const ok = await clinician.post(`/administrations/${administrationId}/adverse-reactions`, reaction({ suspectedCommunicableDisease: true }));
    expect(ok.statusCode, ok.body).toBe(201);
    const today = new Date();
    expect(ok.json()).toMatchObject({
      administrationId, reportedBy: 'Dr Okafor', severity: 'moderate', investigationClosedAt: null, overdue: false,
      reportDueOn: reportDueOn(today, true).toISOString().slice(0, 10),
    });
    const event = await t.database.prisma.auditEvent.findFirstOrThrow({ where: { action: 'adverse_reaction.reported', entityId: ok.json().id } });
    expect(event.actorName).toBe('Dr Okafor');
  });

  it('lists open investigations by due date, flagging the overdue ones', async () => {
    const a = await administered();
    const b = await administered();
    const overdue = (await clinician.post(`/administrations/${a}/adverse-reactions`, reaction({ onsetAt: hoursAgo(47), reportedAt: hoursAgo(46) }))).json();
    await t.database.prisma.adverseReaction.update({ where: { id: overdue.id }, data: { reportDueOn: new Date('2020-01-01') } });
    await clinician.post(`/administrations/${b}/adverse-reactions`, reaction());
    const list = (await quality.get('/adverse-reactions?open=true')).json().items;
    const dues = list.map((r: { reportDueOn: string }) => r.reportDueOn);
    expect(dues).toEqual([...dues].sort());
    expect(list[0]).toMatchObject({ id: overdue.id, overdue: true });
    expect(list.filter((r: { overdue: boolean }) => r.overdue)).toHaveLength(1);
  });

  it('shows an investigation with the full backward trace, and records the read [REQ-ADV-02]', async () => {
    const administrationId = await administered();
    const created = (await clinician.post(`/administrations/${administrationId}/adverse-reactions`, reaction())).json();
    const before = await t.database.prisma.auditEvent.count();
    const res = await quality.get(`/adverse-reactions/${created.id}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: created.id, trace: { unit: { code: created.unitCode }, donor: { donorCode: expect.any(String) }, screeningTests: expect.any(Array) } });
    expect(res.json().trace.adverseReactions).toEqual([expect.objectContaining({ id: created.id })]);
    expect(await t.database.prisma.auditEvent.count()).toBe(before + 1);
    const read = await t.database.prisma.auditEvent.findFirstOrThrow({ orderBy: { seq: 'desc' } });
    expect(read).toMatchObject({ action: 'unit.trace_read', entityType: 'unit', actorName: 'QA Kim', after: { adverseReactionId: created.id } });
  });

  it('closes an investigation once, with its outcome', async () => {
    const administrationId = await administered();
    const created = (await clinician.post(`/administrations/${administrationId}/adverse-reactions`, reaction())).json();
    const closed = await quality.post(`/adverse-reactions/${created.id}/closure`, { outcome: 'not related to the graft' });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json()).toMatchObject({ investigationOutcome: 'not related to the graft', investigationClosedAt: expect.any(String) });
    expect((await quality.get('/adverse-reactions?open=true')).json().items.map((r: { id: string }) => r.id)).not.toContain(created.id);
    await refused(() => quality.post(`/adverse-reactions/${created.id}/closure`, { outcome: 'again' }), 409, 'invalid_state');
  });

  it('refuses an onset before the administration or in the future, and a discovery before the onset', async () => {
    const administrationId = await administered();
    await refused(() => clinician.post(`/administrations/${administrationId}/adverse-reactions`, reaction({ reportedAt: hoursAgo(30) })), 422, 'rule_violation');
    await refused(() => clinician.post(`/administrations/${administrationId}/adverse-reactions`, reaction({ onsetAt: hoursAgo(72) })), 422, 'rule_violation');
    await refused(() => clinician.post(`/administrations/${administrationId}/adverse-reactions`, reaction({ onsetAt: new Date(Date.now() + 86_400_000).toISOString() })), 422, 'rule_violation');
    await refused(() => clinician.post(`/administrations/${administrationId}/adverse-reactions`, reaction({ severity: 'awful' })), 400, 'validation_failed');
  });

  it('refuses a reaction on a superseded administration, naming the current version', async () => {
    const administrationId = await administered();
    const fixed = (await clinician.post(`/administrations/${administrationId}/corrections`, { anatomicalSite: 'left heel', reasonCode: 'transcription_error', reasonText: 'site' })).json();
    const body = await refused(() => clinician.post(`/administrations/${administrationId}/adverse-reactions`, reaction()), 409, 'invalid_state');
    expect(body.correctedById).toBe(fixed.id);
  });

  it("refuses a clinician of another facility, and an unknown administration", async () => {
    const administrationId = await administered();
    const elsewhere = (await t.admin.post('/facilities', { kind: 'clinic', name: 'Elsewhere' })).json().id;
    const outsider = await t.keyFor('clinician', { facilityId: elsewhere });
    await refused(() => outsider.post(`/administrations/${administrationId}/adverse-reactions`, reaction()), 404, 'not_found');
    await clinician.post(`/administrations/${administrationId}/adverse-reactions`, reaction());
    expect((await outsider.get('/adverse-reactions')).json().items).toEqual([]);
    await refused(() => clinician.post(`/administrations/${f.clinicId}/adverse-reactions`, reaction()), 404, 'not_found');
    await refused(() => quality.post(`/administrations/${administrationId}/adverse-reactions`, reaction()), 403, 'forbidden');
  });
});
