import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { hoursAgo, seedChain, seedFacilities, type ChainFacilities } from './support/chain-fixtures.ts';
import { startNoticeReceiver, until } from './support/notice-receiver.ts';
import { verifySignature } from '../src/domain/notices/notice-signature.ts';
import { auditEventsWritten } from './support/audit-counts.ts';
import { signed } from './support/signing.ts';
import { backoffMs } from '../src/domain/notices/notice-worker.ts';

const SECRET = 'whsec_0123456789abcdefghijklmnopqrstuvwxyz';
const fast = { NOTICE_POLL_MS: '50', NOTICE_RETRY_BASE_MS: '100', NOTICE_TIMEOUT_MS: '3000' };

describe.each(engines)('recall notices on %s', (engine) => {
  let t: TestApp;
  let f: ChainFacilities;
  let clinician: Awaited<ReturnType<TestApp['keyFor']>>;
  let receiver: Awaited<ReturnType<typeof startNoticeReceiver>>;

  beforeAll(async () => {
    // Slow retries at first: the app is restarted between the first and the second attempt.
    t = await startTestApp(engine, { env: { ...fast, NOTICE_RETRY_BASE_MS: '1500' } });
    f = await seedFacilities(t.database.prisma);
    clinician = await t.keyFor('clinician', { facilityId: f.clinicId, holderName: 'Dr Okafor' });
    receiver = await startNoticeReceiver([503, 500]);
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('sends a signed notice to the consignee, retries through a restart, records every attempt, delivers once, and shows the acknowledgement [REQ-RECALL-02]', async () => {
    const chain = await seedChain(t.database.prisma, f, { units: 3 });
    const patient = (await clinician.post('/patients', { medicalRecordNumber: 'MRN-NOTICE-1' })).json();
    const given = await clinician.post('/administrations', { unitCode: chain.units[0]!.code, patientId: patient.id, administeredAt: hoursAgo(2), anatomicalSite: 'heel', indication: 'burn' });
    expect(given.statusCode, given.body).toBe(201);
    const registered = await t.app.inject({ method: 'POST', url: `/facilities/${f.clinicId}/recall-notice-endpoint`, headers: { authorization: `Bearer ${t.adminKey}` }, payload: { url: receiver.url, secret: SECRET } });
    expect(registered.statusCode, registered.body).toBe(201);
    expect(registered.json()).toMatchObject({ facilityId: f.clinicId, url: receiver.url, secretFingerprint: expect.stringMatching(/^sha256:[0-9a-f]{16}$/) });
    expect(registered.body).not.toContain(SECRET);

    const created = await t.admin.post('/recalls', { scope: 'lot', lotId: chain.lotId, reason: 'positive culture on the retained sample', ...signed('responsibility') });
    expect(created.statusCode, created.body).toBe(201);
    const recall = created.json();
    expect(recall.notices).toEqual([
      expect.objectContaining({ facilityId: f.clinicId, status: 'pending', unitsHeld: 2, unitsAdministered: 1, notifiedAt: null, outstanding: ['delivery', 'acknowledgement'] }),
    ]);
    const noticeId = recall.notices[0].noticeId;

    // The first attempt fails (503); the app stops before the second, and a new one takes over.
    await until(async () => (await t.database.prisma.noticeDeliveryAttempt.count({ where: { noticeId } })) === 1, 30_000, 'the first attempt');
    await t.close({ drop: false });
    expect(receiver.received).toHaveLength(1);
    t = await startTestApp(engine, { scratch: t.scratch, adminKey: t.adminKey, env: fast });
    clinician = { ...t.as(clinician.key), key: clinician.key, keyId: clinician.keyId, signerId: clinician.signerId };
    await until(async () => (await t.database.prisma.recallNotice.findUniqueOrThrow({ where: { id: noticeId } })).status === 'delivered', 60_000, 'the delivery');
    await new Promise((r) => setTimeout(r, 500)); // ten polls more: nothing is sent again

    expect(receiver.received.map((r) => r.answered)).toEqual([503, 500, 200]);
    for (const request of receiver.received) {
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['x-allograft-notice-id']).toBe(noticeId);
      const signature = { timestamp: String(request.headers['x-allograft-timestamp']), signature: String(request.headers['x-allograft-signature']) };
      expect(verifySignature(SECRET, signature, request.body)).toBe(true);
      expect(verifySignature('not-the-secret-not-the-secret-00000', signature, request.body)).toBe(false);
      expect(verifySignature(SECRET, signature, request.body.replace('MRN-NOTICE-1', 'MRN-NOTICE-2'))).toBe(false);
      // The signature covers the timestamp: replayed ten minutes later, or with another timestamp, it is refused.
      expect(verifySignature(SECRET, signature, request.body, Date.now() + 600_000)).toBe(false);
      expect(verifySignature(SECRET, { ...signature, timestamp: String(Number(signature.timestamp) + 1) }, request.body)).toBe(false);
    }
    // An independent check of the scheme as documented: HMAC-SHA256 over "<timestamp>.<raw body>", hex, after "v1=".
    const first = receiver.received[0]!;
    expect(first.headers['x-allograft-signature']).toBe(`v1=${createHmac('sha256', SECRET).update(`${String(first.headers['x-allograft-timestamp'])}.${first.body}`).digest('hex')}`);
    const body = JSON.parse(receiver.received[0]!.body);
    expect(body).toMatchObject({ noticeId, kind: 'recall', recallId: recall.id, facility: { id: f.clinicId }, acknowledge: { method: 'POST', path: `/recalls/${recall.id}/acknowledgements` } });
    expect(body.units.held.map((u: { code: string }) => u.code).sort()).toEqual([chain.units[1]!.code, chain.units[2]!.code].sort());
    expect(body.units.administered).toEqual([expect.objectContaining({ code: chain.units[0]!.code, patientId: patient.id, medicalRecordNumber: 'MRN-NOTICE-1' })]);

    const notice = (await t.admin.get(`/recall-notices/${noticeId}`)).json();
    expect(notice.deliveryAttempts.map((a: { attempt: number; statusCode: number; delivered: boolean }) => [a.attempt, a.statusCode, a.delivered])).toEqual([
      [1, 503, false], [2, 500, false], [3, 200, true],
    ]);
    let report = (await t.admin.get(`/recalls/${recall.id}`)).json();
    expect(report.notices[0]).toMatchObject({ status: 'delivered', attempts: 3, notifiedAt: expect.any(String), acknowledgedAt: null, outstanding: ['acknowledgement'] });

    const ack = await clinician.post(`/recalls/${recall.id}/acknowledgements`, { unitsQuarantined: true, patientsNotified: false, note: 'patient called, letter follows' });
    expect(ack.statusCode, ack.body).toBe(201);
    expect(ack.json()).toMatchObject({ acknowledgedBy: 'Dr Okafor', unitsQuarantined: true, patientsNotified: false, outstanding: ['patients_notified'] });
    report = (await t.admin.get(`/recalls/${recall.id}`)).json();
    expect(report.notices[0]).toMatchObject({ notifiedAt: expect.any(String), acknowledgedAt: expect.any(String), acknowledgedBy: 'Dr Okafor' });
    expectProblem(await clinician.post(`/recalls/${recall.id}/acknowledgements`, { unitsQuarantined: true, patientsNotified: true }), 409, 'conflict');

    const actions = (await (await t.auditLog()).findMany({ where: { entityId: { in: [noticeId, recall.id] } } })).map((e) => e.action).sort();
    expect(actions).toEqual(['recall.acknowledged', 'recall.created', 'recall_notice.delivery_attempted', 'recall_notice.delivery_attempted', 'recall_notice.delivery_attempted', 'recall_notice.queued']);
    const trail = JSON.stringify(await (await t.auditLog()).findMany({ where: { entityId: { in: [noticeId, f.clinicId] } } }), (_k, v) => (typeof v === 'bigint' ? String(v) : v));
    expect(trail).not.toContain(SECRET);
    expect(trail).not.toContain('MRN-NOTICE-1');
    expect(receiver.received).toHaveLength(3);
  });

  it('tells consignees when a consent withdrawal flags lots, and when an adverse reaction investigation implicates the donor [REQ-RECALL-02]', async () => {
    const chain = await seedChain(t.database.prisma, f, { units: 2 });
    const patient = (await clinician.post('/patients', { medicalRecordNumber: 'MRN-NOTICE-2' })).json();
    const given = (await clinician.post('/administrations', { unitCode: chain.units[0]!.code, patientId: patient.id, administeredAt: hoursAgo(3), anatomicalSite: 'knee', indication: 'burn' })).json();
    const reaction = await clinician.post(`/administrations/${given.id}/adverse-reactions`, { onsetAt: hoursAgo(1), description: 'fever', severity: 'moderate', suspectedCommunicableDisease: true });
    expect(reaction.statusCode, reaction.body).toBe(201);
    const closed = await t.admin.post(`/adverse-reactions/${reaction.json().id}/closure`, { outcome: 'donor sample positive on retest', implicatesDonor: true, ...signed('review') });
    expect(closed.statusCode, closed.body).toBe(200);

    const consent = await t.database.prisma.consent.findFirstOrThrow({ where: { donorId: chain.donorId } });
    // The seeded consent's scope predates the scope vocabulary: make it the clinical-use consent it stands for.
    await t.database.prisma.consent.update({ where: { id: consent.id }, data: { scope: ['clinical_use'] } });
    const withdrawn = await t.admin.post(`/donors/${chain.donorId}/consents/${consent.id}/withdrawal`, { withdrawnAt: hoursAgo(0.5), reason: 'donor asked' });
    expect(withdrawn.statusCode, withdrawn.body).toBe(201);

    const notices = await t.database.prisma.recallNotice.findMany({ where: { facilityId: f.clinicId, kind: { in: ['adverse_reaction', 'consent_withdrawal'] } }, orderBy: { createdAt: 'asc' } });
    expect(notices.map((n) => n.kind)).toEqual(['adverse_reaction', 'consent_withdrawal']);
    for (const n of notices) {
      const units = (n.payload as { units: { held: { code: string }[]; administered: { code: string }[] } }).units;
      expect(units.held.map((u) => u.code)).toEqual([chain.units[1]!.code]);
      expect(units.administered.map((u) => u.code)).toEqual([chain.units[0]!.code]);
    }
    await until(async () => (await t.database.prisma.recallNotice.count({ where: { id: { in: notices.map((n) => n.id) }, status: 'delivered' } })) === 2, 30_000, 'both deliveries');
    const kinds = receiver.received.slice(3).map((r) => JSON.parse(r.body).kind).sort();
    expect(kinds).toEqual(['adverse_reaction', 'consent_withdrawal']);
  });

  it('stops delivering to a consignee that acknowledges while its endpoint is still failing: nothing is sent after the acknowledgement [REQ-RECALL-02]', async () => {
    const down = await startNoticeReceiver(Array(1000).fill(503));
    try {
      const moved = await t.app.inject({ method: 'POST', url: `/facilities/${f.clinicId}/recall-notice-endpoint`, headers: { authorization: `Bearer ${t.adminKey}` }, payload: { url: down.url, secret: SECRET } });
      expect(moved.statusCode, moved.body).toBe(201);
      const chain = await seedChain(t.database.prisma, f, { units: 2 });
      const recall = (await t.admin.post('/recalls', { scope: 'lot', lotId: chain.lotId, reason: 'sterility failure on a sibling lot', ...signed('responsibility') })).json();
      const noticeId = recall.notices[0].noticeId;
      await until(() => down.received.length >= 2, 30_000, 'two failed attempts');

      // The clinic heard of the recall another way (a phone call) and acknowledges.
      const ack = await clinician.post(`/recalls/${recall.id}/acknowledgements`, { unitsQuarantined: true, patientsNotified: true });
      expect(ack.statusCode, ack.body).toBe(201);
      expect(ack.json()).toMatchObject({ status: 'acknowledged', outstanding: [] });
      await new Promise((r) => setTimeout(r, 200)); // an attempt already on the wire finishes
      const sent = down.received.length;
      await new Promise((r) => setTimeout(r, 1_000)); // twenty polls more
      expect(down.received).toHaveLength(sent);

      const notice = (await t.admin.get(`/recall-notices/${noticeId}`)).json();
      expect(notice).toMatchObject({ status: 'acknowledged', deliveredAt: null });
      expect(notice.deliveryAttempts.length).toBe(sent);
      expect(notice.deliveryAttempts.every((a: { statusCode: number; delivered: boolean }) => a.statusCode === 503 && !a.delivered)).toBe(true);
      const report = (await t.admin.get(`/recalls/${recall.id}`)).json();
      expect(report.notices[0]).toMatchObject({ status: 'acknowledged', notifiedAt: null, acknowledgedAt: expect.any(String), nextAttemptAt: null, outstanding: [] });
    } finally {
      await down.close();
    }
  });

  it('refuses an endpoint that is not https, a short secret, and an acknowledgement from a facility that was sent no notice, writing nothing', async () => {
    const put = (body: object) => t.app.inject({ method: 'POST', url: `/facilities/${f.clinicId}/recall-notice-endpoint`, headers: { authorization: `Bearer ${t.adminKey}` }, payload: body });
    const recall = await t.database.prisma.recall.findFirstOrThrow();
    const elsewhere = await t.keyFor('clinician', { facilityId: f.hospitalId });
    const before = await auditEventsWritten(t.database.prisma);
    expectProblem(await put({ url: 'http://ehr.example.org/hook', secret: SECRET }), 422, 'rule_violation');
    expectProblem(await put({ url: 'https://ehr.example.org/hook', secret: 'short' }), 400, 'validation_failed');
    expectProblem(await elsewhere.post(`/recalls/${recall.id}/acknowledgements`, { unitsQuarantined: true, patientsNotified: true }), 422, 'rule_violation');
    expectProblem(await t.admin.post(`/recalls/${recall.id}/acknowledgements`, { unitsQuarantined: true, patientsNotified: true }), 400, 'validation_failed');
    expectProblem(await clinician.post('/recalls/00000000-0000-4000-8000-000000000000/acknowledgements', { unitsQuarantined: true, patientsNotified: true }), 404, 'not_found');
    const after = before;
    expect(await auditEventsWritten(t.database.prisma)).toBe(after);
  });
});

describe('the backoff between delivery attempts', () => {
  it('doubles from the base with ±20 % jitter and stops growing at 6 hours', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 1_000, 0.5))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffMs(3, 1_000, 0)).toBe(3_200);
    expect(backoffMs(3, 1_000, 1)).toBe(4_800);
    expect(backoffMs(40, 30_000, 0.5)).toBe(6 * 3_600_000);
  });
});

describe.each(engines)('a consignee whose endpoint never answers 2xx, on %s', (engine) => {
  let t: TestApp;
  let receiver: Awaited<ReturnType<typeof startNoticeReceiver>>;

  beforeAll(async () => {
    t = await startTestApp(engine, { env: { ...fast, NOTICE_RETRY_BASE_MS: '150', NOTICE_MAX_ATTEMPTS: '4' } });
    receiver = await startNoticeReceiver(Array(100).fill(500));
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('is retried with growing waits up to NOTICE_MAX_ATTEMPTS, then marked failed and left outstanding, not revived by a restart, and sent again once a new endpoint is registered [REQ-RECALL-02]', async () => {
    const f = await seedFacilities(t.database.prisma);
    const chain = await seedChain(t.database.prisma, f, { units: 2 });
    const registered = await t.admin.post(`/facilities/${f.clinicId}/recall-notice-endpoint`, { url: receiver.url, secret: SECRET });
    expect(registered.statusCode, registered.body).toBe(201);
    const recall = (await t.admin.post('/recalls', { scope: 'lot', lotId: chain.lotId, reason: 'endotoxin above limit', ...signed('responsibility') })).json();
    const noticeId = recall.notices[0].noticeId;
    await until(async () => (await t.database.prisma.recallNotice.findUniqueOrThrow({ where: { id: noticeId } })).status === 'failed', 30_000, 'the last attempt');

    expect(receiver.received.map((r) => r.answered)).toEqual([500, 500, 500, 500]);
    // Each wait at least 0.8 × base × 2^(n−1): 120, 240, 480 ms.
    const gaps = receiver.received.slice(1).map((r, i) => r.at - receiver.received[i]!.at);
    gaps.forEach((gap, i) => expect(gap, `wait before attempt ${i + 2}`).toBeGreaterThanOrEqual(0.8 * 150 * 2 ** i - 20));
    const notice = (await t.admin.get(`/recall-notices/${noticeId}`)).json();
    expect(notice).toMatchObject({ status: 'failed', attempts: 4, deliveredAt: null });
    expect(notice.deliveryAttempts.map((a: { attempt: number; statusCode: number }) => [a.attempt, a.statusCode])).toEqual([[1, 500], [2, 500], [3, 500], [4, 500]]);
    const report = (await t.admin.get(`/recalls/${recall.id}`)).json();
    expect(report.notices[0]).toMatchObject({ status: 'failed', attempts: 4, notifiedAt: null, nextAttemptAt: null, lastAttemptError: 'HTTP 500', outstanding: ['delivery', 'acknowledgement'] });

    // A restart does not revive it: failed stays failed, and the recall shows the delivery outstanding for the bank to follow up.
    await t.close({ drop: false });
    t = await startTestApp(engine, { scratch: t.scratch, adminKey: t.adminKey, env: { ...fast, NOTICE_RETRY_BASE_MS: '150', NOTICE_MAX_ATTEMPTS: '4' } });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(receiver.received).toHaveLength(4);

    // The clinic fixes its side and registers a working endpoint: the failed notice goes out again there, once.
    const fixed = await startNoticeReceiver();
    try {
      const again = await t.admin.post(`/facilities/${f.clinicId}/recall-notice-endpoint`, { url: fixed.url, secret: SECRET });
      expect(again.statusCode, again.body).toBe(201);
      await until(async () => (await t.database.prisma.recallNotice.findUniqueOrThrow({ where: { id: noticeId } })).status === 'delivered', 30_000, 'the delivery to the new endpoint');
      await new Promise((r) => setTimeout(r, 500));
      expect(fixed.received.map((r) => [r.answered, r.headers['x-allograft-notice-id']])).toEqual([[200, noticeId]]);
      expect(receiver.received).toHaveLength(4);
      const delivered = (await t.admin.get(`/recall-notices/${noticeId}`)).json();
      expect(delivered.deliveryAttempts.map((a: { attempt: number; statusCode: number; url: string }) => [a.attempt, a.statusCode, a.url === fixed.url])).toEqual([
        [1, 500, false], [2, 500, false], [3, 500, false], [4, 500, false], [5, 200, true],
      ]);
      const after = (await t.admin.get(`/recalls/${recall.id}`)).json();
      expect(after.notices[0]).toMatchObject({ status: 'delivered', notifiedAt: expect.any(String), outstanding: ['acknowledgement'] });
    } finally {
      await fixed.close();
    }
  }, 90_000);
});
