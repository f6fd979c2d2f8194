// npm run api-key -- create <role> "<holder name>" [facilityId]
// npm run api-key -- revoke <keyId> "<reason>"
// npm run api-key -- list
// Works on the database the environment names; with PGlite, stop the service first (one process per data directory).
import { join } from 'node:path';
import { databaseTarget, loadConfig } from '../src/config.ts';
import { loadSigningKey } from '../src/domain/audit/signing.ts';
import { openDatabase } from '../src/db/database.ts';
import { createServices } from '../src/domain/services.ts';
import { systemActor } from '../src/domain/shared/context.ts';
import { Role } from '../src/generated/prisma/enums.ts';

const [command, ...args] = process.argv.slice(2);
const config = loadConfig();
const database = await openDatabase(databaseTarget(config));
// Its audit events wait in the queue until the service's sequencer integrates them.
const signingKey = await loadSigningKey({ key: config.AUDIT_SIGNING_KEY, file: join(config.DATA_DIR, 'audit-signing-key'), name: config.AUDIT_LOG_ORIGIN });
const { apiKeys } = createServices(database, { signingKey, intervalMs: config.AUDIT_INTEGRATION_INTERVAL_MS });
const ctx = { actor: { ...systemActor, name: 'api-key script' }, requestId: `cli-${Date.now()}` };
try {
  if (command === 'create' && args[0] && args[0] in Role && args[1]) {
    const created = await apiKeys.create(ctx, { role: args[0] as Role, holderName: args[1], facilityId: args[2] });
    console.log(`Created ${created.role} key ${created.id} for ${created.holderName}. The key (shown once):\n${created.key}`);
  } else if (command === 'revoke' && args[0] && args[1]) {
    await apiKeys.revoke(ctx, args[0], args[1]);
    console.log(`Revoked ${args[0]}.`);
  } else if (command === 'list') {
    for (let cursor: string | undefined, more = true; more; ) {
      const page = await apiKeys.list({ limit: 200, cursor });
      for (const k of page.items) console.log(`${k.id}  ${k.prefix}…  ${k.role.padEnd(11)} ${k.status.padEnd(8)} expires ${k.expiresAt.toISOString().slice(0, 10)}  ${k.holderName}`);
      cursor = page.nextCursor ?? undefined;
      more = page.nextCursor !== null;
    }
  } else {
    console.error(`usage:\n  npm run api-key -- create <${Object.keys(Role).join('|')}> "<holder name>" [facilityId]\n  npm run api-key -- revoke <keyId> "<reason>"\n  npm run api-key -- list`);
    process.exitCode = 2;
  }
} finally {
  await database.close();
}
