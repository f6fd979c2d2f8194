// Starts the real app (buildApp, as the server does) on a scratch database, with a known
// admin key, and offers a small client over app.inject(). Every response that app.inject()
// gives a test, through the client or directly, is held to the OpenAPI contract (contract.ts).
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { TEST_AUDIT_SIGNING_SEED } from './service-process.ts';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { generateApiKey } from '../../src/domain/auth/api-keys.ts';
import type { Role } from '../../src/generated/prisma/enums.ts';
import { scratchDatabase, type Engine, type ScratchDatabase } from './engines.ts';
import { contractFor, recordCoverage, type Contract } from './contract.ts';
import { TEST_SIGNING_PASSWORD } from './signing.ts';

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
  /**
   * Creates a key with the role (and facility) and returns a client for it. The holder of a key
   * that records decisions is enrolled as a signer with TEST_SIGNING_PASSWORD unless `signer: false`.
   */
  keyFor(role: Role, options?: { facilityId?: string; holderName?: string; signer?: boolean }): Promise<Client & { key: string; keyId: string; signerId: string | null }>;
  /** The signer of the bootstrap admin key. */
  adminSignerId: string;
  /** Enrols the holder of a key as a signer (by the admin) and sets their password (with their own key). */
  enrolSigner(keyId: string, key: string, password?: string): Promise<string>;
  /** Closes the app; the database stays for a restart unless `drop` is true. */
  close(options?: { drop?: boolean }): Promise<void>;
  scratch: ScratchDatabase;
  /** The OpenAPI contract every response of this app is checked against. */
  contract: Contract;
  /** Integrates every audit event committed so far into the log (the sequencer runs on its own too). */
  settle(): Promise<void>;
  /** The audit log's rows once every event committed so far is in it. */
  auditLog(): Promise<PrismaClient['auditEvent']>;
}



/**
 * Routes every promise-style app.inject() through the contract: the response is checked
 * against the document the app serves, and a mismatch rejects the inject, failing the test.
 */
async function holdToContract(app: FastifyInstance): Promise<Contract> {
  const inject = app.inject.bind(app) as (options: InjectOptions | string) => Promise<LightMyRequestResponse>;
  const contract = contractFor((await inject({ method: 'GET', url: '/openapi.json' })).body);
  const checked = async (options: InjectOptions | string) => {
    const res = await inject(options);
    const { method = 'GET', url = '/' } = typeof options === 'string' ? { url: options } : options;
    const path = typeof url === 'string' ? url : `${url.pathname}${url.query ? `?${new URLSearchParams(url.query as Record<string, string>)}` : ''}`;
    const contentType = res.headers['content-type'];
    contract.assert({ method: method.toUpperCase(), url: path, statusCode: res.statusCode, contentType: contentType === undefined ? undefined : String(contentType), body: res.body });
    return res;
  };
  // The chained form (app.inject().get(…)) and the callback form are left as they are.
  app.inject = ((options?: InjectOptions | string, callback?: unknown) =>
    options === undefined || callback !== undefined ? (inject as (...args: unknown[]) => unknown)(options, callback) : checked(options)) as typeof app.inject;
  return contract;
}

export async function startTestApp(engine: Engine, options: { scratch?: ScratchDatabase; env?: Record<string, string>; adminKey?: string } = {}): Promise<TestApp> {
  const scratch = options.scratch ?? (await scratchDatabase(engine));
  const adminKey = options.adminKey ?? generateApiKey();
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    BOOTSTRAP_ADMIN_KEY: adminKey,
    // Tests send refused keys on purpose from one address: only the rate-limit test reaches the limit.
    AUTH_FAILURE_LIMIT: '10000',
    // Signing passwords hashed cheaply in tests (production keeps the memory-hard default).
    SIGNING_PASSWORD_SCRYPT_LOG_N: '10',
    ...(scratch.target.engine === 'pglite' ? { DATA_DIR: scratch.target.dataDir } : { DATABASE_URL: scratch.target.url, AUDIT_SIGNING_KEY: TEST_AUDIT_SIGNING_SEED }),
    ...options.env,
  });
  const database = await openDatabase(scratch.target);
  const app = await buildApp(config, { database });
  const contract = await holdToContract(app);

  const as = (key: string | null): Client => {
    const headers = key ? { authorization: `Bearer ${key}` } : {};
    return {
      get: (url) => app.inject({ method: 'GET', url, headers }),
      post: (url, body) => app.inject({ method: 'POST', url, headers, ...(body === undefined ? {} : { payload: body as object }) }),
    };
  };
  const admin = as(adminKey);

  // A test with a short REQUEST_TIMEOUT_MS may see a 503 on a loaded machine: nothing was recorded, so try again.
  const patiently = async (send: () => Promise<LightMyRequestResponse>) => {
    let res = await send();
    for (let attempt = 1; res.statusCode === 503 && attempt < 10; attempt++) res = await send();
    return res;
  };
  async function enrolSigner(keyId: string, key: string, password = TEST_SIGNING_PASSWORD) {
    const enrolled = await patiently(() => admin.post('/signers', { apiKeyId: keyId }));
    if (enrolled.statusCode !== 201) throw new Error(`could not enrol a signer: ${enrolled.body}`);
    const signerId = enrolled.json().id as string;
    const set = await patiently(() => as(key).post(`/signers/${signerId}/password`, { newPassword: password }));
    if (set.statusCode !== 201) throw new Error(`could not set a signing password: ${set.body}`);
    return signerId;
  }
  // On a restart over the same database the admin is enrolled already.
  const adminKeys = (await patiently(() => admin.get('/api-keys?role=admin&limit=200'))).json().items as { id: string; prefix: string }[];
  const adminKeyId = adminKeys.find((k) => adminKey.startsWith(k.prefix))!.id;
  const enrolledAdmin = (await patiently(() => admin.get(`/signers?apiKeyId=${adminKeyId}`))).json().items[0] as { id: string } | undefined;
  const adminSignerId = enrolledAdmin?.id ?? (await enrolSigner(adminKeyId, adminKey));

  return {
    engine,
    app,
    database,
    config,
    adminKey,
    as,
    admin,
    scratch,
    adminSignerId,
    enrolSigner,
    async keyFor(role, { facilityId, holderName, signer = role !== 'auditor' } = {}) {
      const res = await admin.post('/api-keys', { holderName: holderName ?? `${role} tester`, role, facilityId });
      if (res.statusCode !== 201) throw new Error(`could not create a ${role} key: ${res.body}`);
      const { key, id } = res.json();
      return { ...as(key), key, keyId: id, signerId: signer ? await enrolSigner(id, key) : null };
    },
    contract,
    settle: () => app.services.sequencer.catchUp(),
    async auditLog() {
      await app.services.sequencer.catchUp();
      return database.prisma.auditEvent;
    },
    async close({ drop = true } = {}) {
      recordCoverage(process.env.CONTRACT_REPORT_DIR);
      await app.close();
      if (drop) await scratch.drop();
    },
  };
}
