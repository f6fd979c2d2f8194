// Every table's row count and a digest of its rows, in one statement: two equal snapshots mean
// no row was added, changed or removed anywhere, the audit trail included.
import type { PrismaClient } from '../../src/generated/prisma/client.ts';

export type TableState = Record<string, { rows: number; digest: string }>;

let cachedSql: string | null = null;

async function snapshotSql(prisma: PrismaClient): Promise<string> {
  if (cachedSql) return cachedSql;
  const tables = await prisma.$queryRaw<{ name: string }[]>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations' ORDER BY table_name`;
  cachedSql = tables
    .map(({ name }) => `SELECT '${name}' AS name, count(*)::int AS rows, md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) AS digest FROM "${name}" r`)
    .join(' UNION ALL ');
  return cachedSql;
}

export async function tableState(prisma: PrismaClient): Promise<TableState> {
  const rows = await prisma.$queryRawUnsafe<{ name: string; rows: number; digest: string }[]>(await snapshotSql(prisma));
  return Object.fromEntries(rows.map((r) => [r.name, { rows: Number(r.rows), digest: r.digest }]));
}
