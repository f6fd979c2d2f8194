// 21 CFR 1271.350(b): an HCT/P deviation relating to a core CGTP requirement, in a lot that was
// distributed, is reported to FDA within 45 days of its discovery.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { engines } from './support/engines.ts';
import { startTestApp, type Client, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { expectRefusedWithoutWrites, hoursAgo, seedChain, seedFacilities, type ChainFacilities } from './support/chain-fixtures.ts';
import { walkPages } from './support/pages.ts';
import { reportDueOn } from '../src/domain/deviation-reports/deviation-report-rules.ts';
import { buildDin, mod37_2 } from '../src/domain/units/identification.ts';
import { signed } from './support/signing.ts';

const day = (date: Date) => date.toISOString().slice(0, 10);

describe('deviation report due dates', () => {
  it('falls 45 calendar days after the day of discovery, whatever the hour', () => {
    expect(day(reportDueOn(new Date('2026-03-01T00:00:00Z')))).toBe('2026-04-15');
    expect(day(reportDueOn(new Date('2026-03-01T23:59:59Z')))).toBe('2026-04-15');
    expect(day(reportDueOn(new Date('2026-12-20T10:00:00Z')))).toBe('2027-02-03');
  });
});

describe.each(engines)('deviation reports on %s', (engine) => {
  let t: TestApp;
  let f: ChainFacilities;
  let quality: Client;
  let coordinator: Client;
  let auditor: Client;
  let clinician: Client;

  const refused = (request: () => Promise<LightMyRequestResponse>, status: number, code: string) =>
    expectRefusedWithoutWrites(t.database.prisma, request, status, code);
  const report = (overrides: Record<string, unknown> = {}) => ({
    coreRequirement: 'storage',
    description: 'Freezer 3 log shows 6 hours at -62 °C during the weekend; units of this lot were stored there before shipping',
    ...overrides,
  });

  beforeAll(async () => {
    t = await startTestApp(engine);
    f = await seedFacilities(t.database.prisma);
    quality = await t.keyFor('quality', { holderName: 'QA Kim' });
    coordinator = await t.keyFor('coordinator', { holderName: 'Dana Reyes' });
    auditor = await t.keyFor('auditor');
    clinician = await t.keyFor('clinician', { facilityId: f.clinicId });
  });
  afterAll(async () => t?.close());

  it('opens a report for a distributed lot, due 45 days after discovery, signed and audited [REQ-DEV-02]', async () => {
    const chain = await seedChain(t.database.prisma, f, { units: 1 });
    const discoveredAt = hoursAgo(30);
    const res = await coordinator.post(`/lots/${chain.lotId}/deviation-reports`, report({ discoveredAt }));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      lotId: chain.lotId,
      din: chain.din,
      coreRequirement: 'storage',
      discoveredAt: new Date(discoveredAt).toISOString(),
      reportDueOn: day(reportDueOn(new Date(discoveredAt))),
      recordedBy: 'Dana Reyes',
      closedAt: null,
      overdue: false,
    });
    const event = await (await t.auditLog()).findFirstOrThrow({ where: { action: 'deviation_report.opened', entityId: res.json().id } });
    expect(event).toMatchObject({ actorName: 'Dana Reyes', entityType: 'deviation_report' });
    expect((await auditor.get(`/deviation-reports/${res.json().id}`)).json()).toEqual(res.json());
  });

  it('refuses a lot never distributed, an unknown lot, a discovery in the future or before the recovery, a requirement outside the core CGTP list, and other roles, writing nothing [REQ-DEV-02]', async () => {
    const chain = await seedChain(t.database.prisma, f, { units: 1 });
    const din = buildDin(f.fin, new Date().getUTCFullYear(), 900_000 + Math.floor(Math.random() * 90_000));
    const kept = await t.database.prisma.lot.create({
      data: {
        din, checkCharacter: mod37_2(din), donorId: chain.donorId, tissueType: 'amnion', bankFacilityId: f.bankId, recoveryFacilityId: f.hospitalId,
        recoveredAt: new Date(Date.now() - 86_400_000), recoveredBy: 'Tech Lee', status: 'quarantine',
      },
    });
    const notDistributed = await refused(() => coordinator.post(`/lots/${kept.id}/deviation-reports`, report()), 422, 'rule_violation');
    expect(notDistributed.detail).toMatch(/was ever distributed.*1271\.350\(b\)/);
    expect(notDistributed.errors).toEqual([{ field: 'params.id', message: notDistributed.detail }]);
    await refused(() => coordinator.post('/lots/00000000-0000-4000-8000-000000000000/deviation-reports', report()), 404, 'not_found');
    const future = await refused(() => coordinator.post(`/lots/${chain.lotId}/deviation-reports`, report({ discoveredAt: new Date(Date.now() + 86_400_000).toISOString() })), 422, 'rule_violation');
    expect(future.errors[0].field).toBe('body.discoveredAt');
    const early = await refused(() => coordinator.post(`/lots/${chain.lotId}/deviation-reports`, report({ discoveredAt: hoursAgo(24 * 40) })), 422, 'rule_violation');
    expect(early.detail).toMatch(/cannot come before the recovery of the lot/);
    const unknown = await refused(() => coordinator.post(`/lots/${chain.lotId}/deviation-reports`, report({ coreRequirement: 'catering' })), 400, 'validation_failed');
    expect(unknown.errors[0].field).toBe('body.coreRequirement');
    await refused(() => clinician.post(`/lots/${chain.lotId}/deviation-reports`, report()), 403, 'forbidden');
    await refused(() => auditor.post(`/lots/${chain.lotId}/deviation-reports`, report()), 403, 'forbidden');
  });

  it('lists reports by due date with the overdue ones flagged, filters them, and pages them [REQ-DEV-02]', async () => {
    const chain = await seedChain(t.database.prisma, f, { units: 1 });
    const late = (await quality.post(`/lots/${chain.lotId}/deviation-reports`, report({ coreRequirement: 'labeling_controls', discoveredAt: hoursAgo(24 * 20) }))).json();
    const recent = (await quality.post(`/lots/${chain.lotId}/deviation-reports`, report({ coreRequirement: 'equipment' }))).json();
    expect(recent).toMatchObject({ overdue: false });
    // Its due date passed (time runs faster in a test).
    await t.database.prisma.deviationReport.update({ where: { id: late.id }, data: { reportDueOn: new Date('2020-01-01') } });
    expect((await auditor.get(`/deviation-reports/${late.id}`)).json()).toMatchObject({ overdue: true, reportDueOn: '2020-01-01' });
    const all = await walkPages<{ id: string; reportDueOn: string; overdue: boolean }>(auditor, '/deviation-reports', 1);
    const dues = all.map((r) => r.reportDueOn);
    expect(dues).toEqual([...dues].sort());
    expect(all.find((r) => r.id === late.id)).toMatchObject({ overdue: true });
    expect((await auditor.get('/deviation-reports?overdue=true&limit=200')).json().items.map((r: { id: string }) => r.id)).toContain(late.id);
    expect((await auditor.get('/deviation-reports?overdue=true&limit=200')).json().items.map((r: { id: string }) => r.id)).not.toContain(recent.id);
    expect((await auditor.get(`/deviation-reports?lotId=${chain.lotId}`)).json().items.map((r: { id: string }) => r.id)).toEqual([late.id, recent.id]);
    expectProblem(await clinician.get('/deviation-reports'), 403, 'forbidden');
  });

  it('closes a report once, by quality, with its outcome and FDA reference; a closed report is never overdue [REQ-DEV-02]', async () => {
    const chain = await seedChain(t.database.prisma, f, { units: 1 });
    const opened = (await coordinator.post(`/lots/${chain.lotId}/deviation-reports`, report())).json();
    await t.database.prisma.deviationReport.update({ where: { id: opened.id }, data: { reportDueOn: new Date('2020-01-01') } });
    expect((await auditor.get(`/deviation-reports/${opened.id}`)).json().overdue).toBe(true);
    await refused(() => coordinator.post(`/deviation-reports/${opened.id}/closure`, { outcome: 'x', ...signed('review') }), 403, 'forbidden');
    const closed = await quality.post(`/deviation-reports/${opened.id}/closure`, { outcome: 'Units recalled; freezer alarm fixed', fdaReportReference: 'BPDR 3486-2026-0042', ...signed('review') });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json()).toMatchObject({ closedBy: 'QA Kim', outcome: 'Units recalled; freezer alarm fixed', fdaReportReference: 'BPDR 3486-2026-0042', overdue: false, closedAt: expect.any(String) });
    expect((await auditor.get('/deviation-reports?open=true&limit=200')).json().items.map((r: { id: string }) => r.id)).not.toContain(opened.id);
    expect((await auditor.get('/deviation-reports?open=false&limit=200')).json().items.map((r: { id: string }) => r.id)).toContain(opened.id);
    const again = await refused(() => quality.post(`/deviation-reports/${opened.id}/closure`, { outcome: 'again', ...signed('review') }), 409, 'invalid_state');
    expect(again.currentStatus).toBe('closed');
    await refused(() => quality.post('/deviation-reports/00000000-0000-4000-8000-000000000000/closure', { outcome: 'x', ...signed('review') }), 404, 'not_found');
  });

  it('shows the reports of a lot in its unit, lot and donor traces [REQ-DEV-02]', async () => {
    const chain = await seedChain(t.database.prisma, f, { units: 1 });
    const opened = (await coordinator.post(`/lots/${chain.lotId}/deviation-reports`, report())).json();
    const { din: _din, ...record } = opened;
    const unitTrace = (await auditor.get(`/units/${chain.units[0]!.code}/trace`)).json();
    expect(unitTrace.deviationReports).toEqual([record]);
    const lotTrace = (await auditor.get(`/lots/${chain.lotId}/trace`)).json();
    expect(lotTrace.lot.deviationReports).toEqual([record]);
    const donorTrace = (await auditor.get(`/donors/${chain.donorId}/trace`)).json();
    expect(donorTrace.lots[0].deviationReports).toEqual([record]);
  });
});
