// Every database test runs on embedded PGlite, and on the PostgreSQL server when
// TEST_DATABASE_URL is set. Each test app gets a database of its own.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DatabaseTarget } from '../../src/config.ts';

export type Engine = DatabaseTarget['engine'];

export const engines: Engine[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgresql'] : ['pglite'];

export interface ScratchDatabase {
  target: DatabaseTarget;
  drop(): Promise<void>;
}

/** A new, empty database on the given engine. */
export async function scratchDatabase(engine: Engine): Promise<ScratchDatabase> {
  if (engine === 'pglite') {
    const dataDir = await mkdtemp(join(tmpdir(), 'allograft-test-'));
    return { target: { engine, dataDir }, drop: () => rm(dataDir, { recursive: true, force: true }) };
  }
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `allograft_test_${randomBytes(6).toString('hex')}`;
  await withServer(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    target: { engine, url: url.toString() },
    drop: () => withServer(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

async function withServer<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
