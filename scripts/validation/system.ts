// The system under test: the product and its version, the commit, every dependency as installed,
// the runtime and both database engines with their PostgreSQL versions.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from './results.ts';
import type { RunRecord } from './run-record.ts';

export interface Dependency {
  name: string;
  version: string;
  kind: 'runtime' | 'development and test';
}

export interface SystemUnderTest {
  product: string;
  version: string;
  description: string;
  commit: string | null;
  uncommittedChanges: string[];
  node: string;
  platform: string;
  pglite: { package: string; version: string };
  postgresql: { server: string; version: string } | null;
  dependencies: Dependency[];
}

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;

async function installedVersion(name: string): Promise<string> {
  try {
    return String((await readJson(join(ROOT, 'node_modules', name, 'package.json'))).version);
  } catch {
    return 'not installed';
  }
}

/** PGlite's own PostgreSQL version, asked of an in-memory instance of the installed package. */
export async function probePglite(): Promise<{ package: string; version: string }> {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create();
  try {
    const { rows } = await db.query<{ version: string }>('SELECT version()');
    return { package: `@electric-sql/pglite ${await installedVersion('@electric-sql/pglite')}`, version: rows[0]!.version };
  } finally {
    await db.close();
  }
}

export async function describeSystem(run: RunRecord): Promise<SystemUnderTest> {
  const pkg = (await readJson(join(ROOT, 'package.json'))) as {
    name: string;
    version: string;
    description: string;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const list = async (deps: Record<string, string>, kind: Dependency['kind']) =>
    Promise.all(Object.keys(deps).sort().map(async (name) => ({ name, version: await installedVersion(name), kind })));
  return {
    product: pkg.name,
    version: pkg.version,
    description: pkg.description,
    commit: run.commit,
    uncommittedChanges: run.uncommittedChanges,
    node: run.node,
    platform: run.platform,
    pglite: run.pglite ?? (await probePglite()),
    postgresql: run.postgresql,
    dependencies: [...(await list(pkg.dependencies, 'runtime')), ...(await list(pkg.devDependencies, 'development and test'))],
  };
}
