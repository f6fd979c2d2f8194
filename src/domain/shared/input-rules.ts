// What any input must be before the service stores it, said once. The zod building blocks
// (schemas.ts) apply these rules field by field; the HTTP layer applies the universal part to
// everything a request carries (body, query, path) before any schema runs, so a route gets it
// without asking, even for a field its schema leaves open.

/**
 * The accepted range of every date and instant. PostgreSQL would store years 0 or 10000, but
 * they read back as dates JavaScript and ISO 8601 cannot write; nothing in tissue banking lies
 * outside these years. Chronology (chronology.ts) narrows it further: nothing in the future.
 */
export const ACCEPTED_RANGE = {
  firstDay: '1900-01-01',
  lastDay: '2199-12-31',
  first: new Date('1900-01-01T00:00:00.000Z'),
  last: new Date('2199-12-31T23:59:59.999Z'),
} as const;

export const isAcceptedInstant = (instant: Date) =>
  !Number.isNaN(instant.getTime()) && instant >= ACCEPTED_RANGE.first && instant <= ACCEPTED_RANGE.last;

/** C0 controls (NUL included), DEL and C1 controls; tab, line feed and carriage return apart. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const LINE_BREAK_OR_TAB = /[\t\n\r]/;

/** Why a string cannot be stored as text, or null. Lone UTF-16 surrogates would be stored as U+FFFD. */
export function textProblem(value: string, { multiline = true }: { multiline?: boolean } = {}): string | null {
  if (!value.isWellFormed()) return 'must be well-formed Unicode (it contains a lone UTF-16 surrogate)';
  if (value.includes('\u0000')) return 'must not contain a NUL character';
  if (CONTROL.test(value)) return 'must not contain control characters';
  if (!multiline && LINE_BREAK_OR_TAB.test(value)) return 'must be a single line without tabs';
  return null;
}

/** Why a string cannot serve as an identifier, or null. */
export function identifierProblem(value: string): string | null {
  const problem = textProblem(value, { multiline: false });
  if (problem) return problem;
  if (value.trim() !== value) return 'must not begin or end with spaces';
  if (value.normalize('NFC') !== value) return 'must be in Unicode normalisation form NFC';
  return null;
}

/** Deeper JSON serves no route and costs recursion further down (serialisers, hashing). */
export const MAX_INPUT_DEPTH = 32;

export interface InputIssue {
  field: string;
  message: string;
}

/**
 * Every string (and object key) in a parsed input that no field could store, and nesting beyond
 * MAX_INPUT_DEPTH. Walks without recursion, so no input can exhaust the stack.
 */
export function inputIssues(input: unknown, where: string): InputIssue[] {
  const issues: InputIssue[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: input, path: where, depth: 0 }];
  while (stack.length && issues.length < 20) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) issues.push({ field: path, message: problem });
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH) {
      issues.push({ field: path, message: `is nested more than ${MAX_INPUT_DEPTH} levels deep` });
      continue;
    }
    for (const [key, child] of Object.entries(value)) {
      const keyProblem = textProblem(key, { multiline: false });
      const childPath = `${path}.${keyProblem ? '?' : key}`;
      if (keyProblem) issues.push({ field: childPath, message: `property name ${keyProblem}` });
      stack.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return issues;
}
