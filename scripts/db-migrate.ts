// npm run db:migrate: applies pending migrations to the database the environment names.
import { databaseTarget, loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { applyMigrations } from '../src/db/migrations.ts';

const config = loadConfig();
const database = await openDatabase(databaseTarget(config));
try {
  const applied = await applyMigrations(database.migrationAdapter);
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
} finally {
  await database.close();
}
process.exit(0);
