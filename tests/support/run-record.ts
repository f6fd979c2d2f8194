// Vitest global setup: records what this run runs on (commit, engines, the PostgreSQL server's
// version) beside the JSON results, for `npm run validation-report`. Cheap: no database is started.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { platform, release } from 'node:os';
import pg from 'pg';
import { ROOT } from '../../scripts/validation/results.ts';
import { currentCommit, describeServer, RUN_RECORD_PATH, type RunRecord } from '../../scripts/validation/run-record.ts';
import { engines } from './engines.ts';

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    return (await client.query<{ version: string }>('SELECT version()')).rows[0]!.version;
  } catch (error) {
    return `unreachable when the run started (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export default async function recordRun(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  const record: RunRecord = {
    startedAt: new Date().toISOString(),
    ...currentCommit(),
    node: process.version,
    platform: `${platform()} ${release()}`,
    engines,
    postgresql: url ? { server: describeServer(url), version: await serverVersion(url) } : null,
  };
  const path = join(ROOT, RUN_RECORD_PATH);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(record, null, 2)}\n`);
}
