// Embedded PGlite's start: lock the data directory, then start PostgreSQL (WebAssembly) on it.
// Kept light (PGlite itself is imported when called) so that the server can start it before the
// rest of the service loads: PGlite reads its files and compiles its WebAssembly while Node loads
// and compiles the service's modules (server.ts).
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { lockDataDir, type DataDirLock } from './data-dir-lock.ts';

export const EMBEDDED_DURABILITY_WARNING =
  'Running on embedded PGlite: committed writes survive a killed process but not an OS crash or power loss ' +
  '(PGlite runs without fsync). Use PostgreSQL (DATABASE_URL=postgresql://…) in production.';

/**
 * PGlite keeps PostgreSQL's shared buffers inside its WebAssembly memory, and its default (128 MB)
 * is resident from the start. 32 MB holds a small site's working set; the rest of the data is
 * read through the operating system's file cache.
 */
const PGLITE_SETTINGS = ['-c', 'shared_buffers=32MB'];

export interface EmbeddedPglite {
  pglite: PGlite;
  /** Held until the database closes: one process per data directory. */
  lock: DataDirLock;
}

export async function startPglite(dataDir: string): Promise<EmbeddedPglite> {
  const dir = resolve(dataDir);
  await mkdir(dir, { recursive: true });
  const lock = await lockDataDir(dir);
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    const pglite = await PGlite.create(resolve(dir, 'pgdata'), { startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS] });
    return { pglite, lock };
  } catch (error) {
    await lock.release();
    throw error;
  }
}
