// The processes a bench run measures: the service as `npm start` runs it (node dist/server.js,
// built first when src/ changed), and the floor server (floor-server.mjs). Each is started,
// timed to its first answer, weighed (resident memory) and stopped.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

export interface Running {
  child: ChildProcess;
  origin: string;
  /** From spawn to the first 200 of the readiness URL, in ms. */
  startMs: number;
  /** CPU time the process used to get there (all its threads; Linux only, else NaN), in ms. */
  startCpuMs: number;
  output: () => string;
  stop(): Promise<void>;
}

/** A port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Compiles src/ to dist/ when it changed, as `npm start` does. */
export function buildService(): void {
  const result = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('scripts/build.mjs failed');
}

/**
 * CPU time a process has used (user + system, all threads), in ms; NaN where /proc is missing.
 * On a loaded machine a start's wall time stretches, its CPU time much less.
 */
export function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime, fields 14 and 15 of stat, in clock ticks (100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/** Resident set size of a process in MiB (Linux /proc, else ps). */
export function rssMiB(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    if (kb) return Math.round(Number(kb) / 102.4) / 10;
  } catch {
    // not Linux
  }
  const ps = spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' });
  return Math.round(Number(ps.stdout.trim()) / 102.4) / 10;
}

async function waitFor(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the process exited (${child.exitCode}) before answering:\n${output().slice(-2000)}`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no answer from ${url} within ${timeoutMs} ms:\n${output().slice(-2000)}`);
}

function launch(args: string[], env: Record<string, string>, readyPath: string, port: number, timeoutMs: number): Promise<Running> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const output = () => tail;
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  return waitFor(`${origin}${readyPath}`, child, output, timeoutMs).then(
    () => ({ child, origin, startMs: Math.round(performance.now() - started), startCpuMs: cpuMs(child.pid!), output, stop }),
    async (error: unknown) => {
      await stop();
      throw error;
    },
  );
}

/**
 * The node flags `npm start` gives the service (package.json's start script: `exec node <flags>
 * dist/server.js`), so that the bench runs what users run.
 */
export function startFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
  const flags = /exec node (.*?)\s*dist\/server\.js/.exec(scripts.start ?? '')?.[1];
  if (flags === undefined) throw new Error('package.json start script is not `… exec node [flags] dist/server.js`');
  return flags.split(/\s+/).filter(Boolean);
}

/** The service on dist/, as `npm start` runs it (its node flags too), timed to its first 200 of /ready. */
export async function startService(env: Record<string, string>, timeoutMs = 180_000): Promise<Running> {
  return launch([...startFlags(), 'dist/server.js'], env, '/ready', await freePort(), timeoutMs);
}

/** The floor: bare Fastify + node-postgres on the same database. */
export async function startFloor(databaseUrl: string, probeCode: string): Promise<Running> {
  const port = await freePort();
  return launch(['bench/floor-server.mjs'], { DATABASE_URL: databaseUrl }, `/units/${encodeURIComponent(probeCode)}`, port, 60_000);
}

/** Waits until the process has been idle a moment, then reads its resident memory. */
export async function idleRss(running: Running, settleMs = 3000): Promise<number> {
  await new Promise((r) => setTimeout(r, settleMs));
  return rssMiB(running.child.pid!);
}
