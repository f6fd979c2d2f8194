// Two service instances on one PostgreSQL database, 64 clients writing through both for a bounded
// time, and the sequencer's leader killed with kill -9 in the middle: the other instance takes
// over, and every acknowledged write's event is in the log exactly once, without gaps, under
// heads that verify and are each consistent with the one before.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.ts';
import { applyMigrations } from '../src/db/migrations.ts';
import { verifyConsistency } from '../src/domain/audit/merkle-tree.ts';
import { generateApiKey } from '../src/domain/auth/api-keys.ts';
import { scratchDatabase, type ScratchDatabase } from './support/engines.ts';
import { databaseEnv, killHard, startService, type ServiceProcess } from './support/service-process.ts';

const WRITE_SECONDS = Number(process.env.TWO_INSTANCE_SECONDS ?? 6);
const CLIENTS = 64;

describe.skipIf(!process.env.TEST_DATABASE_URL)('two instances on one PostgreSQL database', () => {
  let scratch: ScratchDatabase;
  const services: ServiceProcess[] = [];
  const adminKey = generateApiKey();

  beforeAll(async () => {
    scratch = await scratchDatabase('postgresql');
    // Migrate once first, so that the two starts do not race for the schema.
    const database = await openDatabase(scratch.target);
    await applyMigrations(database.migrationAdapter);
    await database.close();
    const env = { ...databaseEnv(scratch.target), BOOTSTRAP_ADMIN_KEY: adminKey, AUDIT_INTEGRATION_INTERVAL_MS: '50', AUTH_FAILURE_LIMIT: '100000' };
    services.push(await startService(env), await startService(env));
  }, 240_000);

  afterAll(async () => {
    for (const service of services) await killHard(service);
    await scratch?.drop();
  });

  const send = (service: ServiceProcess, path: string, body?: unknown) =>
    fetch(`${service.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('loses and duplicates nothing when the leader is killed mid-batch, and the other instance takes over [REQ-AUDIT-04]', async () => {
    const ready = await Promise.all(services.map(async (s) => (await (await send(s, '/ready')).json()).auditLog));
    expect(ready.filter((r) => r.sequencerLeader)).toHaveLength(1);
    const leader = services[ready.findIndex((r) => r.sequencerLeader)]!;
    const follower = services.find((s) => s !== leader)!;

    const acknowledged: string[] = [];
    let failedAfterKill = 0;
    let killed = false;
    const until = Date.now() + WRITE_SECONDS * 1000;
    setTimeout(() => {
      killed = true;
      leader.child.kill('SIGKILL');
    }, (WRITE_SECONDS * 1000) / 2);
    let n = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        while (Date.now() < until) {
          const target = client % 2 === 0 || killed ? follower : leader;
          try {
            const res = await send(target, '/facilities', { kind: 'clinic', name: `Clinic ${client}-${n++}` });
            if (res.status === 201) acknowledged.push((await res.json()).id);
            else if (!killed) throw new Error(`a write was refused before the kill: ${res.status} ${await res.text()}`);
          } catch (error) {
            if (!killed) throw error;
            failedAfterKill++;
          }
        }
      }),
    );
    await leader.exited;
    expect(acknowledged.length).toBeGreaterThan(CLIENTS);

    // The follower becomes the leader and integrates everything.
    let state = (await (await send(follower, '/ready')).json()).auditLog;
    for (let i = 0; i < 100 && !(state.sequencerLeader && state.queued === 0); i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = (await (await send(follower, '/ready')).json()).auditLog;
    }
    expect(state).toMatchObject({ sequencerLeader: true, queued: 0 });

    const db = new pg.Client({ connectionString: (scratch.target as { url: string }).url });
    await db.connect();
    try {
      const { rows } = await db.query<{ entity_id: string; n: string }>(
        `SELECT entity_id, count(*) AS n FROM audit_event WHERE action = 'facility.created' AND entity_id = ANY($1) GROUP BY entity_id`,
        [acknowledged],
      );
      expect(rows).toHaveLength(acknowledged.length);
      expect(rows.every((r) => r.n === '1')).toBe(true);
      const { rows: [span] } = await db.query<{ min: string; max: string; count: string }>(`SELECT min(seq), max(seq), count(*) FROM audit_event`);
      expect([span!.min, span!.max]).toEqual(['1', span!.count]);
      // Facilities whose write was not acknowledged either committed whole (row and event) or not at all.
      const { rows: [orphans] } = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM facility f WHERE NOT EXISTS (SELECT 1 FROM audit_event e WHERE e.entity_id = f.id::text AND e.action = 'facility.created')`,
      );
      expect(orphans!.n).toBe('0');
      const { rows: heads } = await db.query<{ tree_size: string; root_hash: Buffer }>(`SELECT tree_size, root_hash FROM audit_head ORDER BY tree_size`);
      expect(heads.length).toBeGreaterThan(1);
      // Each head consistent with the one before (a sample of pairs, the last always).
      const pairs = heads.slice(1).map((head, i) => [heads[i]!, head] as const);
      for (const [a, b] of [...pairs.filter((_, i) => i % Math.ceil(pairs.length / 15) === 0), pairs.at(-1)!]) {
        const proof = (await (await send(follower, `/audit-log/consistency-proof?first=${a.tree_size}&second=${b.tree_size}`)).json()).proof as string[];
        expect(verifyConsistency(Number(a.tree_size), Number(b.tree_size), a.root_hash, b.root_hash, proof.map((h) => Buffer.from(h, 'hex')))).toBe(true);
      }
    } finally {
      await db.end();
    }
    const verification = await (await send(follower, '/audit-events/verification')).json();
    expect(verification).toMatchObject({ intact: true, breaks: { count: 0 } });
    expect(failedAfterKill).toBeGreaterThanOrEqual(0);
  }, 240_000);
});
