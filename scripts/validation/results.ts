// The results of a test run as vitest's JSON reporter writes them (vitest.config.ts), and what the
// report needs of each test: its file, its name, its result, the engine it ran on and the
// requirements its name is tagged with.
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RESULTS_PATH = 'reports/test-results.json';

export type Engine = 'pglite' | 'postgresql';
export const ENGINES: Engine[] = ['pglite', 'postgresql'];
export const ENGINE_NAMES: Record<Engine, string> = { pglite: 'PGlite', postgresql: 'PostgreSQL' };

const resultsSchema = z.object({
  startTime: z.number(),
  success: z.boolean(),
  numTotalTests: z.number(),
  numPassedTests: z.number(),
  numFailedTests: z.number(),
  numPendingTests: z.number(),
  testResults: z.array(
    z.object({
      name: z.string(),
      status: z.string(),
      message: z.string().optional(),
      startTime: z.number().optional(),
      endTime: z.number().optional(),
      assertionResults: z.array(
        z.object({
          ancestorTitles: z.array(z.string()),
          title: z.string(),
          status: z.string(),
          duration: z.number().nullish(),
          failureMessages: z.array(z.string()).optional(),
        }),
      ),
    }),
  ),
});
export type VitestResults = z.infer<typeof resultsSchema>;

export type Outcome = 'passed' | 'failed' | 'skipped';

export interface TestCase {
  file: string;
  /** The describe blocks and the test's own name, as the test output shows them. */
  name: string;
  title: string;
  outcome: Outcome;
  /** The engine named by the nearest describe block, or null for a test that uses no database. */
  engine: Engine | null;
  tags: string[];
  durationMs: number;
  failure?: string;
}

export interface TestRun {
  startedAt: Date;
  durationMs: number;
  files: { file: string; outcome: 'passed' | 'failed'; message?: string }[];
  tests: TestCase[];
  counts: { total: number; passed: number; failed: number; skipped: number };
}

/** A tag is a bracket at the end of a test (or describe) name: [REQ-AREA-01] or [REQ-A-01, REQ-B-02]. */
const TAG_GROUP = /\[(REQ-[^\]]*)\]/g;
const TAG = /^REQ-[A-Z]+-\d{2}$/;

export class TagError extends Error {}

export function tagsOf(name: string): string[] {
  const tags: string[] = [];
  for (const [, group] of name.matchAll(TAG_GROUP)) {
    for (const tag of group!.split(',').map((t) => t.trim())) {
      if (!TAG.test(tag)) throw new TagError(`"${tag}" in "${name}" is not a requirement tag (REQ-AREA-01)`);
      tags.push(tag);
    }
  }
  return tags;
}

/** The engine a test ran on, named by the describe blocks (`describe.each(engines)('… on %s')`). */
export function engineOf(ancestorTitles: string[]): Engine | null {
  for (const title of [...ancestorTitles].reverse()) {
    const match = /\b(pglite|postgresql)\b/i.exec(title);
    if (match) return match[1]!.toLowerCase() as Engine;
  }
  return null;
}

const outcomeOf = (status: string): Outcome => (status === 'passed' ? 'passed' : status === 'failed' ? 'failed' : 'skipped');

export function parseResults(json: unknown): TestRun {
  const results = resultsSchema.parse(json);
  const tests: TestCase[] = [];
  const files: TestRun['files'] = [];
  let endTime = results.startTime;
  for (const file of results.testResults) {
    const path = relative(ROOT, file.name);
    files.push({ file: path, outcome: file.status === 'failed' ? 'failed' : 'passed', ...(file.message ? { message: file.message } : {}) });
    endTime = Math.max(endTime, file.endTime ?? 0);
    for (const a of file.assertionResults) {
      const failure = a.failureMessages?.[0];
      tests.push({
        file: path,
        name: [...a.ancestorTitles, a.title].join(' › '),
        title: a.title,
        outcome: outcomeOf(a.status),
        engine: engineOf(a.ancestorTitles),
        tags: [...new Set([...a.ancestorTitles.flatMap(tagsOf), ...tagsOf(a.title)])],
        durationMs: Math.round(a.duration ?? 0),
        ...(failure ? { failure: failure.split('\n')[0]!.slice(0, 500) } : {}),
      });
    }
  }
  const count = (o: Outcome) => tests.filter((t) => t.outcome === o).length;
  return {
    startedAt: new Date(results.startTime),
    durationMs: endTime - results.startTime,
    files,
    tests,
    counts: { total: tests.length, passed: count('passed'), failed: count('failed'), skipped: count('skipped') },
  };
}

export async function loadResults(path: string): Promise<TestRun> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new Error(`No test results at ${path}: run the suite first (npm test writes them there).`);
  }
  return parseResults(JSON.parse(text));
}
