// Reads that PostgreSQL answers in one statement: the query builds the whole answer as one JSON
// document (json_build_object, json_agg), and Node only parses it. Every round trip costs Node
// CPU (socket, driver, Prisma's interpreter, garbage), so a read is one statement, not one per
// relation. Queries are written as tagged templates (Prisma's `sql`): values become $1, $2, …
// parameters, fragments nest.
import { Prisma } from '../generated/prisma/client.ts';
import type { Statements } from './statements.ts';

export type Sql = Prisma.Sql;
export const sql = Prisma.sql;
export const raw = Prisma.raw;
export const join = Prisma.join;

/**
 * Where a read runs: the database's own statements (statements.ts: no Prisma in between, the
 * query prepared once when it has a name), or a Prisma transaction when the read must see the
 * transaction's own writes.
 */
export type SqlReader = Statements | Pick<Prisma.TransactionClient, '$queryRaw'>;

/** A query the database keeps prepared under `name` (a fixed text: only its values change). */
export interface NamedSql {
  name: string;
  query: Sql;
}
export const named = (name: string, query: Sql): NamedSql => ({ name, query });

/**
 * An instant in the API's own form, 2026-11-24T08:30:00.000Z: UTC, milliseconds, Z, whatever
 * the session's TimeZone. (PostgreSQL's own JSON form follows the session's zone and drops zero
 * milliseconds.) Calendar dates need nothing: JSON renders a date as YYYY-MM-DD.
 */
export const instant = (column: string): Sql => raw(`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/**
 * Runs a query whose first column is one JSON document (cast to text, so that both drivers hand
 * it over untouched) and returns it parsed; null when the query returns no row or a NULL document.
 */
export async function readJson(reader: SqlReader, statement: Sql | NamedSql): Promise<unknown> {
  const [query, name] = 'query' in statement ? [statement.query, statement.name] : [statement, undefined];
  let text: unknown;
  if ('rows' in reader) {
    text = (await reader.rows(query, name))[0]?.[0];
  } else {
    const rows = await reader.$queryRaw<Record<string, unknown>[]>(query);
    const first = rows[0];
    text = first ? Object.values(first)[0] : null;
  }
  if (text === null || text === undefined) return null;
  if (typeof text !== 'string') throw new Error('readJson expects a query whose first column is JSON cast to text');
  return JSON.parse(text);
}

/**
 * Runs a read that records itself (audit/audit-log.ts recordedReadSql): the answer parsed, or
 * null when there is none the actor may see (and then nothing was recorded).
 */
export async function readRecorded(statements: Statements, statement: NamedSql): Promise<unknown> {
  const [row] = await statements.rows(statement.query, statement.name);
  const [doc, visible] = row ?? [];
  if (typeof doc !== 'string' || visible !== 't') return null;
  return JSON.parse(doc);
}
