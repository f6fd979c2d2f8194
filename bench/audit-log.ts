// The audit log on PostgreSQL (issue 10): audited write throughput at 1, 16 and 64 clients
// beside a raw node-postgres single-row INSERT at the same concurrency (rounds interleaved,
// medians, ratio); the lag from a write to the signed head that holds its event (p50, p99); and
// proof latency once the log holds `events` events (10^6 with --audit-events 1000000).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { median, quantile, runLoad } from './load.ts';
import { startService } from './processes.ts';

export interface AuditLogBenchOptions {
  /** A database of the bench's own on the server. */
  databaseUrl: string;
  clientCounts: number[];
  durationMs: number;
  rounds: number;
  /** Grow the log to this many events before measuring proofs. */
  events: number;
  logLevel: string;
  line(label: string, value: string | number, unit?: string): void;
}

const SEED = Buffer.alloc(32, 3).toString('base64');

/** Raw single-row INSERTs by `clients` connections for `durationMs`: inserts per second. */
async function rawInserts(pool: pg.Pool, clients: number, durationMs: number): Promise<number> {
  let done = 0;
  const deadline = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const client = await pool.connect();
      try {
        while (performance.now() < deadline) {
          await client.query('INSERT INTO bench_raw (id, name, created_at) VALUES ($1, $2, now())', [randomUUID(), 'Raw clinic']);
          done++;
        }
      } finally {
        client.release();
      }
    }),
  );
  return Math.round((done / (performance.now() - started)) * 1000);
}

export async function auditLogBench(options: AuditLogBenchOptions): Promise<void> {
  const { line } = options;
  const adminKey = `atk_${'b'.repeat(40)}`;
  const service = await startService({
    DATABASE_URL: options.databaseUrl,
    BOOTSTRAP_ADMIN_KEY: adminKey,
    AUDIT_SIGNING_KEY: SEED,
    LOG_LEVEL: options.logLevel,
    AUTH_FAILURE_LIMIT: '100000',
  });
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: Math.max(...options.clientCounts) + 2 });
  const authorization = `Bearer ${adminKey}`;
  try {
    await pool.query('CREATE TABLE IF NOT EXISTS bench_raw (id uuid PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL)');
    console.log('\nAudit log (PostgreSQL): audited writes (POST /facilities: a row and its audit event) beside raw single-row INSERTs');
    const firstSeq = Number((await pool.query('SELECT coalesce(max(seq), 0) AS n FROM audit_event')).rows[0].n) + 1;
    const startedAt = new Date();
    for (const clients of options.clientCounts) {
      const audited: number[] = [];
      const p99s: number[] = [];
      const raw: number[] = [];
      for (let round = 0; round < options.rounds; round++) {
        const result = await runLoad({
          origin: service.origin,
          clients,
          durationMs: options.durationMs,
          request: (i) => ({ method: 'POST', path: '/facilities', headers: { authorization }, body: { kind: 'clinic', name: `Bench clinic ${i}` } }),
        });
        if (result.failures) console.log(`  ${result.failures} failed writes, e.g. ${result.failureSamples[0]}`);
        audited.push(result.throughput);
        p99s.push(result.p99);
        raw.push(await rawInserts(pool, clients, options.durationMs));
      }
      const ratio = median(audited) / median(raw);
      line(`audited writes, ${clients} client(s) (p99 ${median(p99s)} ms)`, median(audited), 'writes/s');
      line(`raw INSERT, ${clients} client(s)`, median(raw), 'inserts/s');
      line(`  ratio audited / raw at ${clients}`, ratio.toFixed(2), '×');
    }

    // Lag: from the command's instant to the first signed head that holds its event.
    await new Promise((r) => setTimeout(r, 1_500));
    const { rows: lags } = await pool.query<{ lag: number }>(
      `SELECT extract(epoch FROM (SELECT h.timestamp FROM audit_head h WHERE h.tree_size >= e.seq ORDER BY h.tree_size LIMIT 1) - e.occurred_at)::float8 * 1000 AS lag
       FROM audit_event e WHERE e.seq >= $1 AND e.occurred_at >= $2`,
      [firstSeq, startedAt],
    );
    const sorted = Float64Array.from(lags.map((l) => l.lag).filter((l) => Number.isFinite(l))).sort();
    line(`log lag, write to signed head, p50 (${sorted.length} events)`, Math.round(quantile(sorted, 0.5)), 'ms');
    line('log lag, write to signed head, p99', Math.round(quantile(sorted, 0.99)), 'ms');

    // Grow the log by SQL to `events` events: queued rows the sequencer integrates.
    const size = async () => Number((await pool.query('SELECT coalesce(max(seq), 0) AS n FROM audit_event')).rows[0].n);
    const missing = options.events - (await size());
    if (missing > 0) {
      const t0 = performance.now();
      for (let left = missing; left > 0; left -= 100_000) {
        await pool.query(
          `INSERT INTO audit_queue (occurred_at, actor_name, actor_role, action, entity_type, entity_id, after, request_id)
           SELECT now(), 'bench', 'admin', 'facility.created', 'facility', gen_random_uuid()::text, jsonb_build_object('n', g), 'bench'
           FROM generate_series(1, $1) g`,
          [Math.min(left, 100_000)],
        );
      }
      while ((await size()) < options.events) await new Promise((r) => setTimeout(r, 500));
      line(`integrated ${missing} queued events`, Math.round(missing / ((performance.now() - t0) / 1000)), 'events/s');
    }
    const n = await size();
    const head = await (await fetch(`${service.origin}/audit-log/heads/latest`, { headers: { authorization } })).json();
    const proofs = await runLoad({
      origin: service.origin,
      clients: 16,
      durationMs: options.durationMs,
      request: () => ({ path: `/audit-events/${1 + Math.floor(Math.random() * n)}/inclusion-proof?treeSize=${head.treeSize}`, headers: { authorization } }),
    });
    line(`inclusion proof at ${n} events, 16 clients (p50 ${proofs.p50} ms, p99 ${proofs.p99} ms)`, proofs.throughput, 'proofs/s');
    const consistency = await runLoad({
      origin: service.origin,
      clients: 16,
      durationMs: options.durationMs,
      request: () => ({ path: `/audit-log/consistency-proof?first=${1 + Math.floor(Math.random() * (n - 1))}&second=${head.treeSize}`, headers: { authorization } }),
    });
    line(`consistency proof at ${n} events, 16 clients (p50 ${consistency.p50} ms, p99 ${consistency.p99} ms)`, consistency.throughput, 'proofs/s');
    const v0 = performance.now();
    const verification = await (await fetch(`${service.origin}/audit-events/verification`, { headers: { authorization } })).json();
    const seconds = (performance.now() - v0) / 1000;
    line(`full verification of ${verification.eventsChecked} events (intact: ${verification.intact})`, Math.round(verification.eventsChecked / seconds), 'events/s');
  } finally {
    await pool.end();
    await service.stop();
  }
}
