// What a test run ran on, written when the run starts (tests/support/run-record.ts, a vitest
// global setup) beside vitest's JSON results, so that the validation report names the commit, the
// engines and the PostgreSQL server of the run itself rather than of the moment it is printed.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

export const RUN_RECORD_PATH = 'reports/test-run.json';

export const runRecordSchema = z.object({
  startedAt: z.string(),
  commit: z.string().nullable(),
  /** Files changed since the commit (the run tested something the commit does not hold). */
  uncommittedChanges: z.array(z.string()),
  node: z.string(),
  platform: z.string(),
  engines: z.array(z.enum(['pglite', 'postgresql'])),
  postgresql: z.object({ server: z.string(), version: z.string() }).nullable(),
  /** Filled by the report when absent: PGlite's own PostgreSQL version. */
  pglite: z.object({ package: z.string(), version: z.string() }).optional(),
});
export type RunRecord = z.infer<typeof runRecordSchema>;

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trimEnd();
  } catch {
    return null;
  }
}

export function currentCommit(): { commit: string | null; uncommittedChanges: string[] } {
  const commit = git(['rev-parse', 'HEAD']);
  const status = commit === null ? '' : (git(['status', '--porcelain']) ?? '');
  return { commit, uncommittedChanges: status.split('\n').filter(Boolean).map((line) => line.slice(3)) };
}

/** A PostgreSQL URL without its password, to name the server in the report. */
export function describeServer(url: string): string {
  const u = new URL(url);
  return `${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.hostname}:${u.port || '5432'}${u.pathname}`;
}

export async function loadRunRecord(path: string): Promise<RunRecord> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new Error(`No record of the test run at ${path}: run the suite first (npm test writes it there).`);
  }
  return runRecordSchema.parse(JSON.parse(text));
}
