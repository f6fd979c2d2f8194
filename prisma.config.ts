// Read by the Prisma CLI (`prisma generate`). Migrations do not go through the CLI: they run on
// Prisma's WASM schema engine (src/db/migrations.ts), because the native engine cannot be
// downloaded on every machine.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
