// What a database error was, wherever Prisma and its driver adapter put it.

/** Every object in the error's chain of causes (cause, meta, driverAdapterError). */
function* causes(error: unknown): Generator<Record<string, unknown>> {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length) {
    const next = queue.shift();
    if (!next || typeof next !== 'object' || seen.has(next)) continue;
    seen.add(next);
    const record = next as Record<string, unknown>;
    yield record;
    queue.push(record.cause, record.meta, record.driverAdapterError);
  }
}

/** The SQLSTATE of a database error, if it carries one. */
export function sqlStateOf(error: unknown): string | null {
  for (const record of causes(error)) {
    if (typeof record.originalCode === 'string' && /^[0-9A-Z]{5}$/.test(record.originalCode)) return record.originalCode;
    if (record.kind === 'postgres' && typeof record.code === 'string' && /^[0-9A-Z]{5}$/.test(record.code)) return record.code;
  }
  return null;
}

/** A serialization failure or deadlock: the transaction collided with another and may simply run again. */
export function isTransactionConflict(error: unknown): boolean {
  for (const record of causes(error)) {
    if (record.code === 'P2034' || record.kind === 'TransactionWriteConflict') return true;
  }
  const state = sqlStateOf(error);
  return state === '40001' || state === '40P01' || /TransactionWriteConflict|could not serialize|deadlock detected/.test(String((error as Error)?.message));
}

/** A unique key already taken. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown })?.code === 'P2002' || sqlStateOf(error) === '23505';
}
