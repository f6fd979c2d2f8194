import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { auditEventsWritten } from './support/audit-counts.ts';

describe.each(engines)('the audit trail on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => t?.close());

  it('appends one event per write, with actor, request id, before and after [REQ-AUDIT-01]', async () => {
    const before = await auditEventsWritten(t.database.prisma);
    const res = await t.app.inject({
      method: 'POST',
      url: '/facilities',
      headers: { authorization: `Bearer ${t.adminKey}`, 'x-request-id': 'req-audit-1' },
      payload: { kind: 'clinic', name: 'Audited clinic' },
    });
    expect(res.statusCode).toBe(201);
    const events = (await t.admin.get(`/audit-events?entityType=facility&entityId=${res.json().id}`)).json().items;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'facility.created',
      actorName: 'first administrator',
      actorRole: 'admin',
      requestId: 'req-audit-1',
      before: null,
      after: expect.objectContaining({ name: 'Audited clinic' }),
    });
    expect(await auditEventsWritten(t.database.prisma)).toBe(before + 1);
  });

  it('writes no event for a refused request [REQ-SYS-01]', async () => {
    const before = await auditEventsWritten(t.database.prisma);
    await t.admin.post('/facilities', { kind: 'nowhere' });
    await t.admin.post('/api-keys', { holderName: 'x', role: 'clinician' });
    expect(await auditEventsWritten(t.database.prisma)).toBe(before);
  });

  it('keeps an intact hash chain under concurrent writes', async () => {
    await Promise.all(Array.from({ length: 25 }, (_, i) => t.admin.post('/facilities', { kind: 'clinic', name: `Concurrent ${i}` })));
    const verification = (await t.admin.get('/audit-events/verification')).json();
    expect(verification).toMatchObject({ intact: true, firstBroken: null });
    const seqs = (await (await t.auditLog()).findMany({ select: { seq: true }, orderBy: { seq: 'asc' } })).map((e) => Number(e.seq));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(verification.eventsChecked).toBe(seqs.length);
  });

  it('refuses UPDATE, DELETE and TRUNCATE on the audit table at the database [REQ-AUDIT-02]', async () => {
    const { prisma } = t.database;
    await expect(prisma.$executeRawUnsafe(`UPDATE audit_event SET actor_name = 'mallory'`)).rejects.toThrow(/append-only/);
    await expect(prisma.$executeRawUnsafe(`DELETE FROM audit_event`)).rejects.toThrow(/append-only/);
    await expect(prisma.$executeRawUnsafe(`TRUNCATE audit_event`)).rejects.toThrow(/append-only/);
    expect((await t.admin.get('/audit-events/verification')).json().intact).toBe(true);
  });

  it('proves with an auditor’s checkpoint that no event was cut from the end', async () => {
    const { prisma } = t.database;
    const first = (await t.admin.get('/audit-events/verification')).json();
    await t.admin.post('/facilities', { kind: 'clinic', name: 'After the checkpoint' });
    const query = `checkpointSeq=${first.lastSeq}&checkpointHash=${first.lastHash}`;
    expect((await t.admin.get(`/audit-events/verification?${query}`)).json()).toMatchObject({
      intact: true,
      checkpoint: { seq: first.lastSeq, matches: true, problem: null },
    });
    expectProblem(await t.admin.get(`/audit-events/verification?checkpointSeq=${first.lastSeq}`), 400, 'validation_failed');

    // Cut the newest events behind the triggers' back: the chain that is left is still consistent,
    // only the checkpoint shows what is missing.
    const later = (await t.admin.get('/audit-events/verification')).json();
    await prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete`);
      await tx.$executeRawUnsafe(`DELETE FROM audit_event WHERE seq > ${Number(first.lastSeq) - 1}`);
      await tx.$executeRawUnsafe(`ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update_delete`);
    });
    const cut = (await t.admin.get(`/audit-events/verification?checkpointSeq=${later.lastSeq}&checkpointHash=${later.lastHash}`)).json();
    expect(cut.firstBroken).toBeNull();
    expect(cut).toMatchObject({ intact: false, checkpoint: { matches: false, problem: expect.stringMatching(/missing/) } });
  });

  it('detects an event changed behind the triggers’ back [REQ-AUDIT-03]', async () => {
    const { prisma } = t.database;
    await prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete`);
      await tx.$executeRawUnsafe(`UPDATE audit_event SET actor_name = 'mallory' WHERE seq = 2`);
      await tx.$executeRawUnsafe(`ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update_delete`);
    });
    const verification = (await t.admin.get('/audit-events/verification')).json();
    expect(verification).toMatchObject({ intact: false, firstBroken: { seq: '2', problem: expect.stringMatching(/hash/) } });
  });

  it('is readable by auditors only among the non-admin roles that may not write', async () => {
    const auditor = await t.keyFor('auditor');
    expect((await auditor.get('/audit-events?limit=1')).statusCode).toBe(200);
    const clinicFacility = (await t.admin.post('/facilities', { kind: 'clinic', name: 'C' })).json().id;
    const clinician = await t.keyFor('clinician', { facilityId: clinicFacility });
    expectProblem(await clinician.get('/audit-events'), 403, 'forbidden');
  });
});
