// Opens the one database the service uses: embedded PGlite on disk by default, PostgreSQL
// when DATABASE_URL is set. Nothing here connects at import time, and PGlite (its WASM build of
// PostgreSQL and its adapter) is loaded only by a service that runs on it.
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { DatabaseTarget } from '../config.ts';
import { PrismaClient } from '../generated/prisma/client.ts';
import { startPglite, type EmbeddedPglite } from './embedded.ts';
import { GENERIC_PLANS, pgliteStatements, poolStatements, type Statements } from './statements.ts';

export type Prisma = PrismaClient;

export interface Database {
  engine: DatabaseTarget['engine'];
  prisma: PrismaClient;
  /** SQL straight to the database, prepared by name: reads that PostgreSQL answers in one statement (db/sql.ts). */
  reader: Statements;
  /** The adapter factory the schema engine uses to migrate this database. */
  migrationAdapter: SqlMigrationAwareDriverAdapterFactory;
  /** True only on a server that flushes commits to disk (PostgreSQL). */
  durable: boolean;
  /** A connection of its own, outside the pool, for session-level locks (PostgreSQL only). */
  sessionConnection?: () => Promise<pg.Client>;
  /**
   * Hears NOTIFY on a channel from every process on this database (PostgreSQL), on a connection
   * of its own, reconnecting when it drops; `lost` is called whenever notifications may have been
   * missed (the connection dropped). On PGlite, one process per database, nothing else notifies:
   * subscribing is a no-op. Closed with the database.
   */
  subscribe(channel: string, handlers: { message(payload: string): void; lost(): void }): void;
  close(): Promise<void>;
}

export { EMBEDDED_DURABILITY_WARNING } from './embedded.ts';

/**
 * Every session runs in UTC. The pg driver adapter sends instants without an offset, so in a
 * session of another TimeZone (the server's default) PostgreSQL would store them shifted; and
 * the JSON the reads build must not depend on the server's settings either.
 */
export const UTC_SESSION = '-c TimeZone=UTC';

export interface OpenOptions {
  /**
   * On PostgreSQL, the longest a statement may run or wait for a lock, and a transaction may sit
   * idle (the request timeout): a request never holds the database past its own deadline.
   */
  statementTimeoutMs?: number;
  /** PGlite already starting on the target's directory (server.ts starts it early). */
  embedded?: Promise<EmbeddedPglite>;
}

export async function openDatabase(target: DatabaseTarget, options: OpenOptions = {}): Promise<Database> {
  return target.engine === 'pglite' ? openPglite(options.embedded ?? startPglite(target.dataDir)) : openPostgres(target.url, options);
}

async function openPglite(embedded: Promise<EmbeddedPglite>): Promise<Database> {
  const [{ PrismaPGlite }, { pglite, lock }] = await Promise.all([import('pglite-prisma-adapter'), embedded]);
  const adapter = new PrismaPGlite(pglite);
  const prisma = new PrismaClient({ adapter });
  return {
    engine: 'pglite',
    prisma,
    reader: pgliteStatements(pglite),
    migrationAdapter: adapter,
    durable: false,
    subscribe() {},
    async close() {
      await prisma.$disconnect();
      await pglite.close();
      await lock.release();
    },
  };
}

async function openPostgres(url: string, { statementTimeoutMs }: OpenOptions): Promise<Database> {
  const limits = statementTimeoutMs
    ? { statement_timeout: statementTimeoutMs, lock_timeout: statementTimeoutMs, idle_in_transaction_session_timeout: statementTimeoutMs }
    : {};
  const pool = new pg.Pool({ connectionString: url, options: UTC_SESSION, ...limits });
  // An idle connection the server ends (a restart, an administrator) is dropped from the pool
  // and replaced on the next query; it must not take the process down.
  pool.on('error', () => {});
  const adapter = new PrismaPg(pool);
  const prisma = new PrismaClient({ adapter });
  // The one-statement reads: prepared, on generic plans (statements.ts), on a pool of their own.
  const readPool = new pg.Pool({ connectionString: url, options: `${UTC_SESSION} ${GENERIC_PLANS}`, ...limits });
  readPool.on('error', () => {});
  const listeners: Listener[] = [];
  return {
    engine: 'postgresql',
    prisma,
    reader: poolStatements(readPool),
    migrationAdapter: wholeScriptMigrations(new PrismaPg({ connectionString: url, options: UTC_SESSION })),
    durable: true,
    async sessionConnection() {
      const client = new pg.Client({ connectionString: url, options: UTC_SESSION });
      await client.connect();
      return client;
    },
    subscribe(channel, handlers) {
      listeners.push(listen(url, channel, handlers));
    },
    async close() {
      await Promise.all(listeners.map((l) => l.close()));
      await prisma.$disconnect();
      await Promise.all([pool.end(), readPool.end()]);
    },
  };
}

interface Listener {
  close(): Promise<void>;
}

/** LISTEN on a connection of its own; after a drop, reconnects (1 s, doubling to 30 s) and reports the gap. */
function listen(url: string, channel: string, handlers: { message(payload: string): void; lost(): void }): Listener {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a plain channel name: ${channel}`);
  let client: pg.Client | null = null;
  let closed = false;
  let retryMs = 1_000;
  let timer: NodeJS.Timeout | undefined;
  const connect = async () => {
    const c = new pg.Client({ connectionString: url, options: UTC_SESSION });
    c.on('notification', (n) => {
      if (n.channel === channel) handlers.message(n.payload ?? '');
    });
    c.on('error', () => dropped(c));
    c.on('end', () => dropped(c));
    client = c;
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
      retryMs = 1_000;
    } catch {
      dropped(c);
    }
  };
  const dropped = (c: pg.Client) => {
    if (client !== c) return;
    client = null;
    c.end().catch(() => {});
    handlers.lost();
    if (closed) return;
    timer = setTimeout(() => void connect(), retryMs);
    timer.unref();
    retryMs = Math.min(retryMs * 2, 30_000);
  };
  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    },
  };
}

/**
 * @prisma/adapter-pg runs a migration script by splitting it on ";", which breaks function
 * bodies ($$ … ; … $$) and runs the pieces outside any transaction. PostgreSQL's simple query
 * protocol takes the whole script at once and runs it as one implicit transaction, as the
 * native schema engine does.
 */
function wholeScriptMigrations(factory: PrismaPg): SqlMigrationAwareDriverAdapterFactory {
  const patch = <A extends Awaited<ReturnType<PrismaPg['connect']>>>(adapter: A): A => {
    adapter.executeScript = async (script: string) => {
      await adapter.underlyingDriver().query(script);
    };
    return adapter;
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => patch(await factory.connect()),
    connectToShadowDb: async () => patch(await factory.connectToShadowDb()),
  };
}
