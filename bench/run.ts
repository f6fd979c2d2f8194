// npm run bench [-- options]: speed and memory figures, printed for people to judge (never
// pass/fail). See README "Benchmarks" for the options and what each figure means.
//
// reads   the service as `npm start` runs it (node dist/server.js) on each engine, beside a bare
//         Fastify + node-postgres floor on the same PostgreSQL database: each read's throughput
//         and p99 at each client count, rounds interleaved, medians, ratio to the floor; start,
//         restart and resident memory of the service.
// scale   (--scale [N]) grows the database by SQL to N units (10^5 by default) and prints how
//         trace latency grows from 10^4 up.
// writes  the older in-process figures: audited writes, the audit chain, traceability at 400 units.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { generateApiKey } from '../src/domain/auth/api-keys.ts';
import type { DatabaseTarget } from '../src/config.ts';
import { median, runLoad, type LoadRequest, type LoadResult } from './load.ts';
import { buildService, idleRss, rssMiB, startFloor, startService, type Running } from './processes.ts';
import { seedReadWorld, type ReadWorld } from './seed.ts';
import { auditLogBench } from './audit-log.ts';
import { growTo, scaleSteps, type Execute } from './scale.ts';

// `--scale` alone means 10^5 units: parseArgs wants a value, so give it the default.
const argv = process.argv.slice(2);
const scaleAt = argv.indexOf('--scale');
if (scaleAt >= 0 && (scaleAt === argv.length - 1 || argv[scaleAt + 1]!.startsWith('--'))) argv.splice(scaleAt + 1, 0, '100000');

const { values: opts } = parseArgs({
  args: argv,
  options: {
    only: { type: 'string' },
    engines: { type: 'string' },
    clients: { type: 'string', default: '16,64' },
    duration: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    scale: { type: 'string' },
    'audit-events': { type: 'string', default: '100000' },
    'audit-clients': { type: 'string', default: '1,16,64' },
    'log-level': { type: 'string', default: 'warn' },
    help: { type: 'boolean', short: 'h' },
  },
  allowPositionals: false,
});

if (opts.help) {
  console.log(`npm run bench -- [--only reads,audit,scale,writes] [--engines pglite,postgresql] [--clients 16,64]
                    [--duration seconds] [--rounds n] [--scale units] [--log-level warn]
                    [--audit-clients 1,16,64] [--audit-events 100000]
PostgreSQL: BENCH_DATABASE_URL (or TEST_DATABASE_URL) names a server; the bench creates its own database there and drops it.`);
  process.exit(0);
}

if (opts.scale !== undefined && !/^\d+$/.test(opts.scale)) throw new Error(`--scale takes a number of units, not ${opts.scale}`);
const scaleArg = opts.scale === undefined ? null : Number(opts.scale);
const sections = new Set((opts.only ?? (scaleArg ? 'scale' : 'reads,audit,writes')).split(','));
if (scaleArg) sections.add('scale');
const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
type Engine = DatabaseTarget['engine'];
const engines: Engine[] = (opts.engines?.split(',') as Engine[] | undefined) ?? (serverUrl ? ['pglite', 'postgresql'] : ['pglite']);
if (engines.includes('postgresql') && !serverUrl) throw new Error('PostgreSQL needs BENCH_DATABASE_URL (or TEST_DATABASE_URL)');
const clientCounts = opts.clients!.split(',').map(Number);
const durationMs = Number(opts.duration) * 1000;
const rounds = Number(opts.rounds);
const logLevel = opts['log-level']!;

const line = (label: string, value: string | number, unit = '') => console.log(`${label.padEnd(64)} ${String(value).padStart(10)} ${unit}`);

/** A database of its own for this run: a new database on the server, or a new PGlite directory. */
async function benchDatabase(engine: Engine): Promise<{ target: DatabaseTarget; env: Record<string, string>; drop(): Promise<void> }> {
  if (engine === 'pglite') {
    const dataDir = await mkdtemp(join(tmpdir(), 'allograft-bench-'));
    return { target: { engine, dataDir }, env: { DATA_DIR: dataDir }, drop: () => rm(dataDir, { recursive: true, force: true }) };
  }
  const name = `allograft_bench_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl!);
  url.pathname = `/${name}`;
  return { target: { engine, url: url.toString() }, env: { DATABASE_URL: url.toString() }, drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** SQL straight into the bench database, the service stopped when it is PGlite (one process per directory). */
async function withSql<T>(target: DatabaseTarget, work: (execute: Execute) => Promise<T>): Promise<T> {
  const { openDatabase } = await import('../src/db/database.ts');
  const database = await openDatabase(target);
  try {
    return await work((sql, params) => database.prisma.$executeRawUnsafe(sql, ...params));
  } finally {
    await database.close();
  }
}

interface Read {
  name: string;
  request: (i: number) => LoadRequest;
}

function readsOf(world: ReadWorld): Read[] {
  const headers = { authorization: `Bearer ${world.auditorKey}` };
  const pick = <T>(list: T[], i: number) => list[i % list.length]!;
  return [
    { name: 'GET /units/{code}', request: (i) => ({ path: `/units/${pick(world.unitCodes, i)}`, headers }) },
    { name: 'unit trace (backward)', request: (i) => ({ path: `/units/${pick(world.administeredCodes, i)}/trace`, headers }) },
    { name: 'lot trace', request: (i) => ({ path: `/lots/${pick(world.lotIds, i)}/trace`, headers }) },
    { name: 'donor trace', request: (i) => ({ path: `/donors/${pick(world.donorIds, i)}/trace`, headers }) },
    { name: 'patient exposures', request: (i) => ({ path: `/patients/${pick(world.patientIds, i)}/exposures`, headers }) },
  ];
}

const FLOOR = 'floor: Fastify + pg, one indexed SELECT';

interface Summary {
  throughput: number;
  p99: number;
  failures: number;
}

/**
 * Every series at every client count, rounds interleaved (floor, read, read, … then again), after
 * one unmeasured warm-up round of each: a process just started runs its code unoptimised, and
 * JIT warm-up is not what a read costs.
 */
async function measureSeries(series: { name: string; origin: string; request: (i: number) => LoadRequest }[]) {
  for (const s of series) await runLoad({ origin: s.origin, clients: clientCounts[0]!, durationMs, request: s.request });
  const results = new Map<string, LoadResult[]>();
  for (const clients of clientCounts) {
    for (let round = 0; round < rounds; round++) {
      for (const s of series) {
        const r = await runLoad({ origin: s.origin, clients, durationMs, request: s.request });
        if (r.failures) console.log(`  ! ${s.name} at ${clients} clients: ${r.failures} failures, e.g. ${r.failureSamples[0]}`);
        const key = `${s.name}@${clients}`;
        results.set(key, [...(results.get(key) ?? []), r]);
      }
    }
  }
  const summary = new Map<string, Summary>();
  for (const [key, list] of results) {
    summary.set(key, { throughput: median(list.map((r) => r.throughput)), p99: median(list.map((r) => r.p99)), failures: list.reduce((n, r) => n + r.failures, 0) });
  }
  return summary;
}

interface EngineReads {
  engine: Engine;
  summary: Map<string, Summary>;
  reads: string[];
}

async function readsOn(engine: Engine, withFloor: boolean): Promise<EngineReads> {
  console.log(`\n== reads on ${engine} (${clientCounts.join(' and ')} clients, ${rounds} rounds of ${durationMs / 1000} s, medians; service LOG_LEVEL=${logLevel})`);
  const db = await benchDatabase(engine);
  const adminKey = generateApiKey();
  const env = { ...db.env, BOOTSTRAP_ADMIN_KEY: adminKey, LOG_LEVEL: logLevel, MIGRATE_ON_START: 'true' };
  let service: Running | null = null;
  let floor: Running | null = null;
  try {
    service = await startService(env);
    line('first start to /ready (empty database: every migration applied)', service.startMs, `ms  (CPU ${service.startCpuMs} ms)`);
    const seeded = performance.now();
    const world = await seedReadWorld(service.origin, adminKey);
    line(`seeded through the API: ${world.lotIds.length} lots, ${world.unitCodes.length} units, ${world.patientIds.length} administered`, Math.round(performance.now() - seeded), 'ms');
    await service.stop();
    const restarts: number[] = [];
    const restartCpu: number[] = [];
    for (let i = 0; i < 3; i++) {
      service = await startService(env);
      restarts.push(service.startMs);
      restartCpu.push(service.startCpuMs);
      if (i < 2) await service.stop();
    }
    line('restart to /ready (existing database, nothing pending), median of 3', median(restarts), `ms  (${restarts.join(', ')})`);
    line('  CPU time the restart used (all threads), median of 3', median(restartCpu), `ms  (${restartCpu.join(', ')})`);
    line('resident memory idle after the restart', await idleRss(service), 'MiB');

    const reads = readsOf(world);
    const series = reads.map((r) => ({ name: r.name, origin: service!.origin, request: r.request }));
    if (withFloor) {
      floor = await startFloor(db.env.DATABASE_URL!, world.unitCodes[0]!);
      line('floor server: resident memory idle', await idleRss(floor, 1000), 'MiB');
      series.unshift({ name: FLOOR, origin: floor.origin, request: (i) => ({ path: `/units/${world.unitCodes[i % world.unitCodes.length]}` }) });
    }
    const summary = await measureSeries(series);
    line('resident memory after the reads (service)', rssMiB(service.child.pid!), 'MiB');
    if (floor) line('resident memory after the reads (floor)', rssMiB(floor.child.pid!), 'MiB');

    for (const clients of clientCounts) {
      console.log(`\n  ${clients} clients${' '.repeat(30)}answers/s      p99 ms${withFloor ? '   × floor' : ''}`);
      const floorFigure = summary.get(`${FLOOR}@${clients}`);
      for (const s of series) {
        const f = summary.get(`${s.name}@${clients}`)!;
        const ratio = floorFigure && s.name !== FLOOR ? (f.throughput / floorFigure.throughput).toFixed(3) : '';
        console.log(`  ${s.name.padEnd(40)} ${String(f.throughput).padStart(9)} ${f.p99.toFixed(1).padStart(11)} ${ratio.padStart(11)}`);
      }
    }
    return { engine, summary, reads: reads.map((r) => r.name) };
  } finally {
    await floor?.stop();
    await service?.stop();
    await db.drop();
  }
}

async function sequentialMedian(origin: string, request: LoadRequest, runs = 30): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const t0 = performance.now();
    const res = await fetch(`${origin}${request.path}`, { headers: request.headers });
    await res.text();
    if (!res.ok) throw new Error(`${request.path}: ${res.status}`);
    if (i >= 3) times.push(performance.now() - t0);
  }
  return Math.round(median(times) * 100) / 100;
}

async function scaleOn(engine: Engine, target: number) {
  console.log(`\n== scale on ${engine}: trace latency as the database grows to ${target.toLocaleString('en')} units (sequential, median of 30 after 3 warm-ups)`);
  const db = await benchDatabase(engine);
  const adminKey = generateApiKey();
  const env = { ...db.env, BOOTSTRAP_ADMIN_KEY: adminKey, LOG_LEVEL: logLevel };
  let service: Running | null = await startService(env);
  try {
    const world = await seedReadWorld(service.origin, adminKey);
    const reads = readsOf(world);
    const rows: { units: number; ms: number[]; seedSeconds: number }[] = [];
    let have = 0;
    console.log(`  ${'units'.padStart(10)} ${'seeded in'.padStart(10)}  ${reads.map((r) => r.name.padStart(22)).join('')}`);
    for (const step of scaleSteps(target)) {
      const started = performance.now();
      if (engine === 'pglite') {
        await service.stop();
        service = null;
      }
      have = await withSql(db.target, (execute) => growTo(execute, { bankId: world.bankId, clinicId: world.clinicId }, have, step));
      const seedSeconds = Math.round((performance.now() - started) / 100) / 10;
      service ??= await startService(env);
      const ms: number[] = [];
      for (const r of reads) ms.push(await sequentialMedian(service.origin, r.request(0)));
      rows.push({ units: have, ms, seedSeconds });
      console.log(`  ${have.toLocaleString('en').padStart(10)} ${`${seedSeconds} s`.padStart(10)}  ${ms.map((m) => `${m.toFixed(2)} ms`.padStart(22)).join('')}`);
    }
    const first = rows[0]!;
    const last = rows[rows.length - 1]!;
    console.log(`  growth ${first.units.toLocaleString('en')} → ${last.units.toLocaleString('en')}: ${reads.map((r, i) => `${r.name} ×${(last.ms[i]! / first.ms[i]!).toFixed(2)}`).join(', ')}`);
  } finally {
    await service?.stop();
    await db.drop();
  }
}

async function writesIn(engine: Engine) {
  const { startTestApp } = await import('../tests/support/test-app.ts');
  const { benchmarks } = await import('./benchmarks.ts');
  const t = await startTestApp(engine);
  try {
    console.log(`\n== in-process figures on ${engine}`);
    for (const [name, bench] of Object.entries(benchmarks)) {
      for (const f of await bench(t)) line(`${name}: ${f.name}`, f.value, f.unit);
    }
  } finally {
    await t.close();
  }
}

buildService();
console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} cores, load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const readFigures: EngineReads[] = [];
if (sections.has('reads')) {
  // The floor is node-postgres: it runs beside the service on PostgreSQL, on the same database.
  for (const engine of engines) readFigures.push(await readsOn(engine, engine === 'postgresql'));
  const lite = readFigures.find((f) => f.engine === 'pglite');
  const server = readFigures.find((f) => f.engine === 'postgresql');
  if (lite && server) {
    const clients = clientCounts[0]!;
    console.log(`\n== PGlite ÷ PostgreSQL, answers/s at ${clients} clients`);
    for (const name of lite.reads) {
      const ratio = lite.summary.get(`${name}@${clients}`)!.throughput / server.summary.get(`${name}@${clients}`)!.throughput;
      line(`  ${name}`, ratio.toFixed(2), '×');
    }
  }
}
if (sections.has('scale')) {
  const engine = engines.includes('postgresql') ? 'postgresql' : 'pglite';
  await scaleOn(opts.engines ? engines[0]! : engine, scaleArg ?? 100_000);
}
if (sections.has('audit')) {
  // The audit log on PostgreSQL: audited writes beside raw INSERTs, lag, proofs at size.
  if (!serverUrl) console.log('\n(audit: needs PostgreSQL, BENCH_DATABASE_URL or TEST_DATABASE_URL)');
  else {
    const db = await benchDatabase('postgresql');
    try {
      await auditLogBench({
        databaseUrl: db.env.DATABASE_URL!,
        clientCounts: opts['audit-clients']!.split(',').map(Number),
        durationMs,
        rounds,
        events: Number(opts['audit-events']),
        logLevel,
        line,
      });
    } finally {
      await db.drop();
    }
  }
}
if (sections.has('writes')) {
  if (serverUrl) process.env.TEST_DATABASE_URL = serverUrl;
  for (const engine of engines) await writesIn(engine);
}
process.exit(0);

