// What a start loads: Prisma's schema engine (WebAssembly, tens of MB) only when the database
// lacks a migration this build ships; a restart on an up-to-date database asks one query and
// goes on serving without it.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { engines, scratchDatabase, type ScratchDatabase } from './support/engines.ts';
import { startTestApp } from './support/test-app.ts';

const engineOpens = vi.hoisted(() => ({ count: 0 }));
vi.mock('../src/db/schema-engine.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/db/schema-engine.ts')>();
  return {
    ...actual,
    openSchemaEngine: (...args: Parameters<typeof actual.openSchemaEngine>) => {
      engineOpens.count++;
      return actual.openSchemaEngine(...args);
    },
  };
});

describe.each(engines)('a start on %s', (engine) => {
  const scratches: ScratchDatabase[] = [];
  afterAll(async () => {
    for (const s of scratches) await s.drop();
  });

  it('loads the schema engine to migrate an empty database, and not again on a restart with nothing pending', async () => {
    const scratch = await scratchDatabase(engine);
    scratches.push(scratch);
    const before = engineOpens.count;
    const first = await startTestApp(engine, { scratch });
    const adminKey = first.adminKey;
    await first.close({ drop: false });
    expect(engineOpens.count).toBeGreaterThan(before);

    const opened = engineOpens.count;
    const again = await startTestApp(engine, { scratch, adminKey });
    try {
      expect(engineOpens.count).toBe(opened);
      const ready = await again.as(null).get('/ready');
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toMatchObject({ status: 'ready', pendingMigrations: [] });
      expect((await again.admin.get('/facilities')).statusCode).toBe(200);
    } finally {
      await again.close();
    }
  });

  it('refuses to start while a migration is pending when MIGRATE_ON_START=false, without loading the engine', async () => {
    const scratch = await scratchDatabase(engine);
    scratches.push(scratch);
    const opened = engineOpens.count;
    const database = await openDatabase(scratch.target);
    try {
      const config = loadConfig({ LOG_LEVEL: 'silent', MIGRATE_ON_START: 'false' });
      await expect(buildApp(config, { database })).rejects.toThrow(/lacks migrations/);
    } finally {
      await database.close();
    }
    expect(engineOpens.count).toBe(opened);
  });
});
