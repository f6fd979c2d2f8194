// npm run db:new-migration -- <name>: writes the next migration from the change in prisma/schema.prisma.
import { createMigration } from '../src/db/migrations.ts';

const name = process.argv[2];
if (!name) {
  console.error('usage: npm run db:new-migration -- <snake_case_name>');
  process.exit(2);
}
const written = await createMigration(name);
console.log(written ? `Wrote prisma/migrations/${written}/migration.sql` : 'schema.prisma matches the migration history: nothing to write.');
