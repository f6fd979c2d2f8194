import { createPublicKey, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventLeafHash } from '../src/domain/audit/audit-log.ts';
import { verifyConsistency, verifyInclusion } from '../src/domain/audit/merkle-tree.ts';
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

  it('integrates concurrent writes into a log without gaps, every head signed and consistent [REQ-AUDIT-04]', async () => {
    await Promise.all(Array.from({ length: 25 }, (_, i) => t.admin.post('/facilities', { kind: 'clinic', name: `Concurrent ${i}` })));
    const verification = (await t.admin.get('/audit-events/verification')).json();
    expect(verification).toMatchObject({ intact: true, breaks: { count: 0, first: null } });
    const seqs = (await (await t.auditLog()).findMany({ select: { seq: true }, orderBy: { seq: 'asc' } })).map((e) => Number(e.seq));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(verification.eventsChecked).toBe(seqs.length);
    expect(verification.latestHead.treeSize).toBe(String(seqs.length));
    expect(verification.latestHead.rootHash).toBe(verification.rootHash);
    expect(verification.headsChecked).toBeGreaterThan(0);
  });

  it('refuses UPDATE, DELETE and TRUNCATE on the log, its nodes and its heads at the database [REQ-AUDIT-02]', async () => {
    const { prisma } = t.database;
    for (const table of ['audit_event', 'audit_node', 'audit_head']) {
      await expect(prisma.$executeRawUnsafe(`UPDATE ${table} SET ${table === 'audit_node' ? 'level = level' : table === 'audit_head' ? 'note = note' : "actor_name = 'mallory'"}`)).rejects.toThrow(/append-only/);
      await expect(prisma.$executeRawUnsafe(`DELETE FROM ${table}`)).rejects.toThrow(/append-only/);
      await expect(prisma.$executeRawUnsafe(`TRUNCATE ${table}`)).rejects.toThrow(/append-only/);
    }
    expect((await t.admin.get('/audit-events/verification')).json().intact).toBe(true);
  });

  it('signs each tree head with the published key, proves every event in it, and proves each head consistent with an earlier one [REQ-AUDIT-04]', async () => {
    const auditor = await t.keyFor('auditor');
    const key = (await auditor.get('/audit-log/public-key')).json();
    const publicKey = createPublicKey(key.publicKeyPem);
    const first = (await auditor.get('/audit-log/heads/latest')).json();
    const checkNote = (head: { note: string; treeSize: string; rootHash: string; keyId: string }) => {
      const [body, signatureLine] = head.note.split('\n\n');
      const [origin, size, root, timestamp] = body!.split('\n');
      expect([origin, size, Buffer.from(root!, 'base64').toString('hex')]).toEqual([key.origin, head.treeSize, head.rootHash]);
      expect(timestamp).toMatch(/^timestamp \d+$/);
      const [dash, name, blob] = signatureLine!.trim().split(' ');
      expect([dash, name]).toEqual(['\u2014', key.origin]);
      const raw = Buffer.from(blob!, 'base64');
      expect(raw.subarray(0, 4).toString('hex')).toBe(key.keyId);
      expect(verify(null, Buffer.from(`${body}\n`), publicKey, raw.subarray(4))).toBe(true);
    };
    checkNote(first);
    expect((await auditor.get(`/audit-log/heads/${first.treeSize}`)).json()).toEqual(first);

    const events = (await auditor.get(`/audit-events?limit=500`)).json().items;
    for (const event of events.slice(0, 40)) {
      const proof = (await auditor.get(`/audit-events/${event.seq}/inclusion-proof?treeSize=${first.treeSize}`)).json();
      const leaf = eventLeafHash({ ...event, seq: BigInt(event.seq), occurredAt: new Date(event.occurredAt) });
      expect(leaf.toString('hex')).toBe(event.leafHash);
      expect(verifyInclusion(Number(event.seq) - 1, Number(first.treeSize), leaf, proof.auditPath.map((h: string) => Buffer.from(h, 'hex')), Buffer.from(first.rootHash, 'hex'))).toBe(true);
    }

    for (let i = 0; i < 20; i++) await t.admin.post('/facilities', { kind: 'clinic', name: `Later ${i}` });
    const second = (await auditor.get('/audit-log/heads/latest')).json();
    checkNote(second);
    expect(Number(second.treeSize)).toBeGreaterThan(Number(first.treeSize));
    const consistency = (await auditor.get(`/audit-log/consistency-proof?first=${first.treeSize}&second=${second.treeSize}`)).json();
    const proof = consistency.proof.map((h: string) => Buffer.from(h, 'hex'));
    expect(verifyConsistency(Number(first.treeSize), Number(second.treeSize), Buffer.from(first.rootHash, 'hex'), Buffer.from(second.rootHash, 'hex'), proof)).toBe(true);
    // The same proof does not join the first head to a different root.
    const forged = Buffer.from(second.rootHash, 'hex');
    forged[0] = forged[0]! ^ 1;
    expect(verifyConsistency(Number(first.treeSize), Number(second.treeSize), Buffer.from(first.rootHash, 'hex'), forged, proof)).toBe(false);

    const heads = (await auditor.get(`/audit-log/heads?limit=500`)).json().items;
    expect(heads.map((h: { treeSize: string }) => Number(h.treeSize))).toEqual([...heads.map((h: { treeSize: string }) => Number(h.treeSize))].sort((a, b) => a - b));
    expectProblem(await auditor.get(`/audit-log/consistency-proof?first=${second.treeSize}&second=${Number(second.treeSize) + 1000}`), 422, 'rule_violation');
    expectProblem(await auditor.get(`/audit-log/consistency-proof?first=5&second=4`), 422, 'rule_violation');
    expectProblem(await auditor.get(`/audit-events/999999/inclusion-proof`), 404, 'not_found');
    expectProblem(await auditor.get(`/audit-log/heads/999999`), 404, 'not_found');
  });

  it('finds an event changed, a stored node changed and events cut from the end behind the triggers’ back, reporting every break [REQ-AUDIT-03]', async () => {
    const { prisma } = t.database;
    const behindTriggers = async (table: string, sql: string) =>
      prisma.$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`ALTER TABLE ${table} DISABLE TRIGGER ${table}_no_update_delete`);
        await tx.$executeRawUnsafe(sql);
        await tx.$executeRawUnsafe(`ALTER TABLE ${table} ENABLE TRIGGER ${table}_no_update_delete`);
      });
    for (let i = 0; i < 40; i++) await t.admin.post('/facilities', { kind: 'clinic', name: `Tampered later ${i}` });
    const before = (await t.admin.get('/audit-events/verification')).json();
    expect(before.intact).toBe(true);
    await behindTriggers('audit_event', `UPDATE audit_event SET actor_name = 'mallory' WHERE seq IN (2, 7)`);
    await behindTriggers('audit_node', `UPDATE audit_node SET hash = sha256(hash) WHERE level = 4 AND index = 1`);
    const size = Number(before.treeSize);
    await behindTriggers('audit_event', `DELETE FROM audit_event WHERE seq > ${size - 3}`);
    const verification = (await t.admin.get('/audit-events/verification')).json();
    expect(verification.intact).toBe(false);
    // Seq 2 and 7 no longer hash to their leaves; the node over leaves 0-15 (recomputed from the
    // changed events) and the node over 16-31 (changed itself) differ; every signed root from seq 2
    // on differs; the heads signed after the cut hold more events than the log now does.
    expect(verification.breaks.byKind).toMatchObject({ leaf_hash_mismatch: 2, node_mismatch: 2 });
    expect(verification.breaks.byKind.head_beyond_log).toBeGreaterThan(0);
    expect(verification.breaks.byKind.head_root_mismatch).toBeGreaterThan(0);
    expect(verification.breaks.first).toMatchObject({ kind: 'leaf_hash_mismatch', seq: '2' });
    expect(verification.breaks.last).toMatchObject({ kind: 'head_beyond_log' });
    expect(verification.breaks.count).toBe(Object.values(verification.breaks.byKind as Record<string, number>).reduce((a, b) => a + b, 0));

    // The sequencer signs no second head of a size already signed: it stops integrating, says
    // why in GET /ready, and the trail stays readable as it is.
    expect((await t.admin.post('/facilities', { kind: 'clinic', name: 'After the cut' })).statusCode).toBe(201);
    expect((await t.admin.get('/audit-events?limit=1')).statusCode).toBe(200);
    expect((await t.as(null).get('/ready')).json().auditLog.integrationError).toMatch(/removed behind the database's back/);
  });

  it('is readable by auditors only among the non-admin roles that may not write', async () => {
    const auditor = await t.keyFor('auditor');
    expect((await auditor.get('/audit-events?limit=1')).statusCode).toBe(200);
    const clinicFacility = (await t.admin.post('/facilities', { kind: 'clinic', name: 'C' })).json().id;
    const clinician = await t.keyFor('clinician', { facilityId: clinicFacility });
    expectProblem(await clinician.get('/audit-events'), 403, 'forbidden');
  });
});
