// The closed vocabulary of failures. Services throw DomainError; the HTTP layer maps each
// code to one status and one RFC 9457 problem type (src/http/problems.ts).

export type ErrorCode =
  | 'validation_failed' // 400: input is malformed
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'signature_refused' // 403: the signature block does not sign (wrong password, locked signer, …)
  | 'not_found' // 404
  | 'conflict' // 409: duplicate, or a unique fact already recorded
  | 'invalid_state' // 409: the record's state does not allow this transition
  | 'prerequisites_unmet' // 409: a gate (e.g. release) whose prerequisites are not all met
  | 'precondition_failed' // 412: stale If-Match
  | 'rule_violation'; // 422: well-formed input that breaks a domain rule

export interface FieldIssue {
  field: string;
  message: string;
}

/**
 * A field as the 400s name it: where it is in the request, then its path (`body.units.0.expiresOn`,
 * `query.limit`, `params.code`). A bare name is a field of the body.
 */
export const requestField = (field: string) => (/^(body|query|params|headers)(\.|$)/.test(field) ? field : `body.${field}`);

/**
 * Every problem that names fields names them one way: `errors: [{ field, message }]`. A caller
 * may pass `{ field }` or `{ fields }` (each gets the problem's message), or `errors` itself.
 */
function withFieldErrors(message: string, extensions: Record<string, unknown>): Record<string, unknown> {
  const { field, fields, errors, ...rest } = extensions as { field?: unknown; fields?: unknown; errors?: unknown };
  const named = [...(typeof field === 'string' ? [field] : []), ...(Array.isArray(fields) ? fields.filter((f): f is string => typeof f === 'string') : [])];
  const issues: FieldIssue[] = [
    ...(Array.isArray(errors) ? (errors as FieldIssue[]) : []),
    ...named.map((name) => ({ field: name, message })),
  ].map((issue) => ({ field: requestField(issue.field), message: issue.message }));
  return issues.length ? { ...rest, errors: issues } : rest;
}

export class DomainError extends Error {
  /** Extra members for the problem document, e.g. { currentStatus } or { failedPrerequisites }. */
  readonly extensions: Record<string, unknown>;

  constructor(
    readonly code: ErrorCode,
    message: string,
    extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
    this.extensions = withFieldErrors(message, extensions);
  }
}

export const notFound = (entity: string, id: string) =>
  new DomainError('not_found', `${entity} ${id} does not exist.`, { entity, id });

export const ruleViolation = (message: string, extensions: Record<string, unknown> = {}) =>
  new DomainError('rule_violation', message, extensions);

export const invalidState = (message: string, currentStatus: string, extensions: Record<string, unknown> = {}) =>
  new DomainError('invalid_state', message, { currentStatus, ...extensions });

export const fieldErrors = (errors: FieldIssue[], message = 'The request has invalid fields.') =>
  new DomainError('validation_failed', message, { errors });
