import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { engines } from './support/engines.ts';
import { startTestApp, type Client, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { seedChain, seedFacilities, hoursAgo, expectRefusedWithoutWrites, type ChainFacilities } from './support/chain-fixtures.ts';
import { reportDueOn } from '../src/domain/adverse-reactions/adverse-reaction-rules.ts';
import { auditEventsWritten } from './support/audit-counts.ts';
import { signed } from './support/signing.ts';

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

  it('due dates (21 CFR 1271.350(a)): 15 days from receipt with a communicable disease involved or suspected, none otherwise', () => {
    const discovered = new Date('2026-03-01T22:00:00Z');
    expect(reportDueOn(discovered, true)?.toISOString().slice(0, 10)).toBe('2026-03-16');
    expect(reportDueOn(discovered, false)).toBeNull();
  });

  it('opens an investigation with its report due date, none without a communicable disease, and the reporter [REQ-ADV-01, REQ-DEV-02]', async () => {
    const administrationId = await administered();
    const ok = await clinician.post(`/administrations/${administrationId}/adverse-reactions`, reaction({ suspectedCommunicableDisease: true }));
    expect(ok.statusCode, ok.body).toBe(201);
    const today = new Date();
    expect(ok.json()).toMatchObject({
      administrationId, reportedBy: 'Dr Okafor', severity: 'moderate', investigationClosedAt: null, overdue: false,
      reportDueOn: reportDueOn(today, true)!.toISOString().slice(0, 10),
    });
    // No communicable disease: investigated, with no regulatory due date, never overdue.
    const other = await clinician.post(`/administrations/${await administered()}/adverse-reactions`, reaction());
    expect(other.json()).toMatchObject({ suspectedCommunicableDisease: false, reportDueOn: null, overdue: false });
    const event = await (await t.auditLog()).findFirstOrThrow({ where: { action: 'adverse_reaction.reported', entityId: ok.json().id } });
    expect(event.actorName).toBe('Dr Okafor');
  });

  it('lists investigations by due date, those without one last, in pages, flagging and filtering the overdue ones [REQ-ADV-01, REQ-LIST-01]', async () => {
    const [a, b, c] = [await administered(), await administered(), await administered()];
    const late = (await clinician.post(`/administrations/${a}/adverse-reactions`, reaction({ suspectedCommunicableDisease: true, onsetAt: hoursAgo(47), reportedAt: hoursAgo(46) }))).json();
    await t.database.prisma.adverseReaction.update({ where: { id: late.id }, data: { reportDueOn: new Date('2020-01-01') } });
    const undated = (await clinician.post(`/administrations/${b}/adverse-reactions`, reaction())).json();
    const dated = (await clinician.post(`/administrations/${c}/adverse-reactions`, reaction({ suspectedCommunicableDisease: true }))).json();

    const seen: { id: string; reportDueOn: string | null; overdue: boolean }[] = [];
    let url = '/adverse-reactions?open=true&limit=2';
    for (let pages = 0; url; pages++) {
      const page = (await quality.get(url)).json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      url = page.nextCursor ? `/adverse-reactions?open=true&limit=2&cursor=${page.nextCursor}` : '';
      expect(pages).toBeLessThan(50);
    }
    expect(new Set(seen.map((r) => r.id)).size).toBe(seen.length);
    const dues = seen.map((r) => r.reportDueOn ?? '9999-12-31');
    expect(dues).toEqual([...dues].sort());
    expect(seen[0]).toMatchObject({ id: late.id, overdue: true });
    expect(seen.map((r) => r.id)).toEqual(expect.arrayContaining([undated.id, dated.id]));
    expect(seen.findIndex((r) => r.id === dated.id)).toBeLessThan(seen.findIndex((r) => r.id === undated.id));
    expect(seen.filter((r) => r.overdue).map((r) => r.id)).toEqual([late.id]);
    expect((await quality.get('/adverse-reactions?overdue=true')).json().items.map((r: { id: string }) => r.id)).toEqual([late.id]);
    expect((await quality.get('/adverse-reactions?overdue=false&limit=200')).json().items.map((r: { id: string }) => r.id)).not.toContain(late.id);
  });

  it('shows an investigation with the full backward trace, and records the read [REQ-ADV-02]', async () => {
    const administrationId = await administered();
    const created = (await clinician.post(`/administrations/${administrationId}/adverse-reactions`, reaction())).json();
    const before = await auditEventsWritten(t.database.prisma);
    const res = await quality.get(`/adverse-reactions/${created.id}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: created.id, trace: { unit: { code: created.unitCode }, donor: { donorCode: expect.any(String) }, screeningTests: expect.any(Array) } });
    expect(res.json().trace.adverseReactions).toEqual([expect.objectContaining({ id: created.id })]);
    expect(await auditEventsWritten(t.database.prisma)).toBe(before + 1);
    const read = await (await t.auditLog()).findFirstOrThrow({ orderBy: { seq: 'desc' } });
    expect(read).toMatchObject({ action: 'unit.trace_read', entityType: 'unit', actorName: 'QA Kim', after: { adverseReactionId: created.id } });
  });

  it('closes an investigation once, with its outcome', async () => {
    const administrationId = await administered();
    const created = (await clinician.post(`/administrations/${administrationId}/adverse-reactions`, reaction())).json();
    const closed = await quality.post(`/adverse-reactions/${created.id}/closure`, { outcome: 'not related to the graft', ...signed('review') });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json()).toMatchObject({ investigationOutcome: 'not related to the graft', investigationClosedAt: expect.any(String) });
    expect((await quality.get('/adverse-reactions?open=true')).json().items.map((r: { id: string }) => r.id)).not.toContain(created.id);
    await refused(() => quality.post(`/adverse-reactions/${created.id}/closure`, { outcome: 'again', ...signed('review') }), 409, 'invalid_state');
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
    const fixed = (await clinician.post(`/administrations/${administrationId}/corrections`, { anatomicalSite: 'left heel', reasonCode: 'transcription_error', reasonText: 'site', ...signed('responsibility') })).json();
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
    expectProblem(await outsider.get(`/adverse-reactions?facilityId=${f.clinicId}`), 404, 'not_found');
    expect((await clinician.get(`/adverse-reactions?facilityId=${f.clinicId}`)).json().items.length).toBeGreaterThan(0);
    await refused(() => clinician.post(`/administrations/${f.clinicId}/adverse-reactions`, reaction()), 404, 'not_found');
    await refused(() => quality.post(`/administrations/${administrationId}/adverse-reactions`, reaction()), 403, 'forbidden');
  });
});
