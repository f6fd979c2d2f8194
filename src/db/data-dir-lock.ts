// PGlite does not lock its data directory, and two processes on one directory corrupt it.
// This lock file holds the owner's pid; a lock whose process is gone is stale and taken over.
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export class DataDirLockedError extends Error {
  constructor(readonly dataDir: string, readonly ownerPid: number) {
    super(
      `The data directory ${dataDir} is in use by another process (pid ${ownerPid}). ` +
        'PGlite allows one process per data directory: stop the other process, or give this one its own DATA_DIR.',
    );
    this.name = 'DataDirLockedError';
  }
}

/** Directories this process holds; a lock file with our own pid and no entry here is from a previous life (pid 1 in a container). */
const heldHere = new Set<string>();

function isAlive(pid: number, dataDir: string): boolean {
  if (pid === process.pid) return heldHere.has(dataDir);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface DataDirLock {
  release(): Promise<void>;
}

export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const lockPath = join(dataDir, 'allograft.lock');
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createLockFile(lockPath)) {
      heldHere.add(dataDir);
      return {
        release: async () => {
          heldHere.delete(dataDir);
          await rm(lockPath, { force: true });
        },
      };
    }
    const content = await readFile(lockPath, 'utf8').catch(() => null);
    if (content === null) continue; // released meanwhile: try again
    const ownerPid = Number.parseInt(content, 10);
    if (Number.isInteger(ownerPid) && isAlive(ownerPid, dataDir)) throw new DataDirLockedError(dataDir, ownerPid);
    await breakStaleLock(lockPath, content);
  }
  throw new Error(`Could not take the lock on ${dataDir}`);
}

/**
 * Creates the lock file with our pid already in it, atomically: written to a file of our own,
 * then hard-linked into place (link fails if the lock exists). A lock file is never seen empty,
 * so a reader cannot mistake a lock being written for a stale one.
 */
async function createLockFile(lockPath: string): Promise<boolean> {
  const mine = `${lockPath}.${process.pid}.${randomBytes(6).toString('hex')}`;
  const handle = await open(mine, 'wx', 0o644);
  try {
    await handle.writeFile(`${process.pid}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(mine, lockPath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(mine, { force: true });
  }
}

/**
 * Removes a stale lock, but only the one we judged stale: two processes taking over the same
 * stale lock must not delete each other's fresh one. Breaking is itself guarded by a lock file;
 * one left behind by a crash is broken after a while.
 */
async function breakStaleLock(lockPath: string, staleContent: string): Promise<void> {
  const breaker = `${lockPath}.break`;
  let handle;
  try {
    handle = await open(breaker, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const age = await stat(breaker).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age > 30_000) await rm(breaker, { force: true });
    else await new Promise((r) => setTimeout(r, 50));
    return;
  }
  try {
    const current = await readFile(lockPath, 'utf8').catch(() => null);
    if (current === staleContent) await rm(lockPath, { force: true });
  } finally {
    await handle.close();
    await rm(breaker, { force: true });
  }
}
