// Boots the service: configuration, the app, the listener, a clean stop on SIGTERM/SIGINT.
import { writeFile, mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { ConfigError, databaseTarget, loadConfig, type Config } from './config.ts';
import { DataDirLockedError } from './db/data-dir-lock.ts';
import { EMBEDDED_DURABILITY_WARNING, startPglite } from './db/embedded.ts';

/** The first admin key goes to a file only its owner can read, never into the logs. */
async function handOverAdminKey(config: Config, key: string): Promise<string> {
  await mkdir(resolve(config.DATA_DIR), { recursive: true });
  const path = resolve(config.DATA_DIR, 'initial-admin-key');
  await writeFile(path, `${key}\n`, { mode: 0o600 });
  if (process.stderr.isTTY) process.stderr.write(`\nFirst admin API key (shown once, also in ${path}):\n  ${key}\n\n`);
  return path;
}

async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  // On PostgreSQL the only WebAssembly is Prisma's query compiler, whose plans are cached: its
  // baseline code (Liftoff) serves as fast, and leaving out V8's optimising recompilation saves
  // the ~45 MB its buffers keep in the process. (PGlite's PostgreSQL needs the optimised code.)
  if (config.DATABASE_URL) setFlagsFromString('--liftoff-only');

  // Embedded PGlite starts first: it reads its files and compiles its WebAssembly while the
  // service's modules load (the app is imported only now). buildApp awaits it and reports its failure.
  const target = databaseTarget(config);
  const embedded = target.engine === 'pglite' ? startPglite(target.dataDir) : undefined;
  embedded?.catch(() => {});
  const { buildApp } = await import('./app.ts');
  const app = await buildApp(config, { embedded }).catch((error: unknown) => {
    if (error instanceof DataDirLockedError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(3);
    }
    throw error;
  });

  if (!app.database.durable) app.log.warn({ engine: app.database.engine, dataDir: resolve(config.DATA_DIR) }, EMBEDDED_DURABILITY_WARNING);
  if (app.generatedAdminKey) {
    const path = await handOverAdminKey(config, app.generatedAdminKey);
    app.log.warn({ file: path }, 'Created the first admin API key; it is in this file (readable by its owner only). Move it somewhere safe and delete the file.');
  }

  let closing = false;
  const stop = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'stopping: finishing in-flight requests, then closing the database');
    const timer = setTimeout(() => {
      app.log.error('in-flight requests did not finish in time; exiting');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS);
    timer.unref();
    await app.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  try {
    await app.listen({ port: config.PORT, host: config.HOST });
  } catch (error) {
    // e.g. the port is taken: close the database (and release the PGlite lock) before exiting.
    await app.close().catch(() => {});
    throw error;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`The service could not start: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
