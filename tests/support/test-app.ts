// Starts the real app (buildApp, as the server does) on a scratch database, with a known
// admin key, and offers a small client over app.inject().
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { generateApiKey } from '../../src/domain/auth/api-keys.ts';
import type { Role } from '../../src/generated/prisma/enums.ts';
import { scratchDatabase, type Engine, type ScratchDatabase } from './engines.ts';

export interface Client {
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown): Promise<LightMyRequestResponse>;
}

export interface TestApp {
  engine: Engine;
  app: FastifyInstance;
  database: Database;
  config: Config;
  adminKey: string;
  /** A client sending the given key (or none). */
  as(key: string | null): Client;
  admin: Client;
  /** Creates a key with the role (and facility) and returns a client for it. */
  keyFor(role: Role, options?: { facilityId?: string; holderName?: string }): Promise<Client & { key: string; keyId: string }>;
  /** Closes the app; the database stays for a restart unless `drop` is true. */
  close(options?: { drop?: boolean }): Promise<void>;
  scratch: ScratchDatabase;
}

export async function startTestApp(engine: Engine, options: { scratch?: ScratchDatabase; env?: Record<string, string>; adminKey?: string } = {}): Promise<TestApp> {
  const scratch = options.scratch ?? (await scratchDatabase(engine));
  const adminKey = options.adminKey ?? generateApiKey();
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    BOOTSTRAP_ADMIN_KEY: adminKey,
    ...(scratch.target.engine === 'pglite' ? { DATA_DIR: scratch.target.dataDir } : { DATABASE_URL: scratch.target.url }),
    ...options.env,
  });
  const database = await openDatabase(scratch.target);
  const app = await buildApp(config, { database });

  const as = (key: string | null): Client => {
    const headers = key ? { authorization: `Bearer ${key}` } : {};
    return {
      get: (url) => app.inject({ method: 'GET', url, headers }),
      post: (url, body) => app.inject({ method: 'POST', url, headers, ...(body === undefined ? {} : { payload: body as object }) }),
    };
  };
  const admin = as(adminKey);

  return {
    engine,
    app,
    database,
    config,
    adminKey,
    as,
    admin,
    scratch,
    async keyFor(role, { facilityId, holderName } = {}) {
      const res = await admin.post('/api-keys', { holderName: holderName ?? `${role} tester`, role, facilityId });
      if (res.statusCode !== 201) throw new Error(`could not create a ${role} key: ${res.body}`);
      const { key, id } = res.json();
      return { ...as(key), key, keyId: id };
    },
    async close({ drop = true } = {}) {
      await app.close();
      if (drop) await scratch.drop();
    },
  };
}
