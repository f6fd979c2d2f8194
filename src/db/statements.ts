// SQL straight to the database, past Prisma, for the reads that PostgreSQL answers in one
// statement (sql.ts) and the read events they record. A statement given a name is prepared: the
// database parses and plans its text once per connection, and every later call sends only the
// name and the values. A trace's text is several kilobytes; parsing and planning it again on
// every call cost more than running it.
//
// Values travel as text and come back as text (NULL as null), on both engines, so that a row
// reads the same on PGlite and on PostgreSQL whatever the column types.
//
// A prepared statement runs on its generic plan (plan_cache_mode = force_generic_plan): these
// statements find their rows by id or code through an index whatever the values, and a custom
// plan would plan a trace again at every call (measured: a lot trace 0.75 ms on PostgreSQL's own
// choice, 0.54 ms on its generic plan; a unit trace planned for its values, 7 ms).
import type pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import { serialize } from 'pg-protocol';
import type { Sql } from './sql.ts';

export type Row = (string | null)[];

export interface Statements {
  /** The rows of a query, each as its columns' text. `name`: keep it prepared under that name. */
  rows(query: Sql, name?: string): Promise<Row[]>;
}

/** A database error as the error mapping reads it (sql-state.ts): its SQLSTATE in `code`. */
export class StatementError extends Error {
  readonly kind = 'postgres';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'StatementError';
  }
}

/** A value as PostgreSQL's text input reads it. */
function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

const verbatim = (text: string) => text;
/** Every column as the text PostgreSQL sent: no parsing of numbers, dates or JSON. */
const asSent = { getTypeParser: () => verbatim } as unknown as pg.CustomTypesConfig;

const PLAN_CACHE_MODE = 'force_generic_plan';
/** The setting these statements run with, as a connection option (PostgreSQL). */
export const GENERIC_PLANS = `-c plan_cache_mode=${PLAN_CACHE_MODE}`;

/**
 * On PostgreSQL: a pool of its own, whose sessions run with GENERIC_PLANS (Prisma's pool keeps
 * PostgreSQL's own choice). node-postgres keeps each connection's prepared names.
 */
export function poolStatements(pool: pg.Pool): Statements {
  return {
    async rows(query, name) {
      try {
        const result = await pool.query<Row>({ name, text: query.text, values: query.values.map(asText), rowMode: 'array', types: asSent });
        return result.rows;
      } catch (error) {
        const e = error as { message?: string; code?: string };
        throw new StatementError(e.message ?? String(error), e.code);
      }
    },
  };
}

type Message = { name: string; fields?: Row; message?: string; code?: string };

/** What PGlite keeps to itself: its query and transaction locks (the public query() takes both). */
interface PGliteLocks {
  _runExclusiveTransaction<T>(work: () => Promise<T>): Promise<T>;
  _runExclusiveQuery<T>(work: () => Promise<T>): Promise<T>;
}

/**
 * On PGlite: the wire protocol on its one connection, under the same two locks its own query()
 * takes, so that a statement never runs inside another caller's open transaction.
 */
export function pgliteStatements(pglite: PGlite): Statements {
  const locks = pglite as unknown as PGliteLocks;
  /** Each prepared name with its text: a name stands for one text (node-postgres checks the same). */
  const prepared = new Map<string, string>();
  return {
    rows(query, name) {
      return locks._runExclusiveTransaction(() =>
        locks._runExclusiveQuery(async () => {
          const statement = name ?? '';
          const known = name === undefined ? undefined : prepared.get(name);
          if (known !== undefined && known !== query.text) throw new Error(`the prepared statement ${name} was given another text`);
          // The one connection is Prisma's too: the setting holds for this statement only.
          const parts: Buffer[] = [serialize.query(`SET plan_cache_mode = ${PLAN_CACHE_MODE}`)];
          if (known === undefined) parts.push(serialize.parse({ name: statement, text: query.text, types: [] }));
          parts.push(serialize.bind({ statement, values: query.values.map(asText) }), serialize.execute({}), serialize.sync());
          parts.push(serialize.query('RESET plan_cache_mode'));
          const bytes = Buffer.concat(parts);
          const { messages } = await pglite.execProtocol(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), { throwOnError: false });
          const list = messages as unknown as Message[];
          if (name && list.some((m) => m.name === 'parseComplete')) prepared.set(name, query.text);
          const failure = list.find((m) => m.name === 'error');
          if (failure) throw new StatementError(failure.message ?? 'database error', failure.code);
          return list.filter((m) => m.name === 'dataRow').map((m) => m.fields!);
        }),
      );
    },
  };
}
