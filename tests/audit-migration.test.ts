// The migration to the verifiable log keeps a trail written before it: the old hash chain stays,
// verifiable as it was, in audit_chain_legacy, and its events become the log's first leaves in
// their order. Shown on PGlite by applying the migration history's SQL up to that migration by
// hand, writing a chain the old way, then applying the migration and integrating.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient } from '../src/generated/prisma/client.ts';
import { createAuditService } from '../src/domain/audit/audit-service.ts';
import { GENESIS_HASH, legacyHash } from '../src/domain/audit/legacy-chain.ts';
import { createSequencer } from '../src/domain/audit/sequencer.ts';
import { signingKeyFrom } from '../src/domain/audit/signing.ts';

const MIGRATION = 'verifiable_audit_log';

describe('the migration to the verifiable log', () => {
  let dir: string;
  let pglite: PGlite;
  let prisma: PrismaClient;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'audit-migration-'));
    pglite = await PGlite.create(join(dir, 'pgdata'));
    await pglite.exec(`SET TimeZone = 'UTC'`);
    const migrations = (await readdir('prisma/migrations', { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    const at = migrations.findIndex((name) => name.endsWith(MIGRATION));
    for (const name of migrations.slice(0, at)) await pglite.exec(await readFile(join('prisma/migrations', name, 'migration.sql'), 'utf8'));
    // A trail written the old way: a hash chain.
    let prevHash = GENESIS_HASH;
    for (let seq = 1n; seq <= 5n; seq++) {
      const event = {
        seq,
        occurredAt: new Date(Date.UTC(2026, 10, 20, 8, 0, Number(seq))),
        actorKeyId: null,
        actorName: 'first administrator',
        actorRole: 'admin',
        action: 'facility.created',
        entityType: 'facility',
        entityId: `facility-${seq}`,
        before: null,
        after: { name: `Clinic ${seq}`, note: 'é\u00e9' },
        reason: null,
        requestId: `req-${seq}`,
        prevHash,
      };
      const hash = legacyHash(event);
      await pglite.query(
        `INSERT INTO audit_event (seq, occurred_at, actor_key_id, actor_name, actor_role, action, entity_type, entity_id, before, after, reason, request_id, prev_hash, hash)
         VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, NULL, $8, NULL, $9, $10, $11)`,
        [seq.toString(), event.occurredAt, event.actorName, event.actorRole, event.action, event.entityType, event.entityId, JSON.stringify(event.after), event.requestId, prevHash, hash],
      );
      prevHash = hash;
    }
    for (const name of migrations.slice(at)) await pglite.exec(await readFile(join('prisma/migrations', name, 'migration.sql'), 'utf8'));
    prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  }, 120_000);

  afterAll(async () => {
    await prisma?.$disconnect();
    await pglite?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps the old chain verifiable and makes its events the first leaves, in order, nothing lost', async () => {
    const signingKey = signingKeyFrom(generateKeyPairSync('ed25519').privateKey, 'migration.example/log');
    const sequencer = createSequencer({ prisma, key: signingKey, intervalMs: 50 });
    const audit = createAuditService({ prisma, sequencer, signingKey });
    const verification = await audit.verify();
    expect(verification).toMatchObject({ intact: true, eventsChecked: 5, breaks: { count: 0 }, legacyChain: { intact: true, eventsChecked: 5, lastSeq: '5' } });
    const events = (await audit.list({ limit: 10 })).items;
    expect(events.map((e) => [String(e.seq), e.entityId, e.requestId])).toEqual([1, 2, 3, 4, 5].map((n) => [String(n), `facility-${n}`, `req-${n}`]));
    const legacy = await prisma.auditChainLegacy.findMany({ orderBy: { seq: 'asc' } });
    expect(events.map((e) => [e.occurredAt, e.after])).toEqual(legacy.map((e) => [e.occurredAt, e.after]));
    expect(await prisma.auditQueue.count()).toBe(0);
  });
});
