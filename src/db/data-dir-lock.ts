// PGlite does not lock its data directory, and two processes on one directory corrupt it.
// This lock file holds the owner's pid; a lock whose process is gone is stale and taken over.
import { mkdir, open, readFile, rm } from 'node:fs/promises';
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
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.sync();
      await handle.close();
      heldHere.add(dataDir);
      return {
        release: async () => {
          heldHere.delete(dataDir);
          await rm(lockPath, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const ownerPid = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(ownerPid) && isAlive(ownerPid, dataDir)) throw new DataDirLockedError(dataDir, ownerPid);
      await rm(lockPath, { force: true });
    }
  }
  throw new Error(`Could not take the lock on ${dataDir}`);
}
