// RFC 9457 problem details: one table from error code to status and title, one handler.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError, type ErrorCode } from '../domain/shared/errors.ts';
import { DeadlineExceeded } from '../domain/shared/deadline.ts';
import { sqlStateOf } from '../db/sql-state.ts';

export type ProblemCode =
  | ErrorCode
  | 'bad_request'
  | 'not_acceptable'
  | 'method_not_allowed'
  | 'request_timeout'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'uri_too_long'
  | 'request_header_fields_too_large'
  | 'too_many_requests'
  | 'internal_error'
  | 'service_unavailable';

const problemTable: Record<ProblemCode, { status: number; title: string }> = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  bad_request: { status: 400, title: 'Bad request' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Not allowed for this role' },
  signature_refused: { status: 403, title: 'The electronic signature was refused' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  request_timeout: { status: 408, title: 'Request timeout' },
  not_acceptable: { status: 406, title: 'None of the accepted media types can be produced' },
  conflict: { status: 409, title: 'Conflicts with a recorded fact' },
  invalid_state: { status: 409, title: 'Not allowed in the current state' },
  prerequisites_unmet: { status: 409, title: 'Prerequisites are not met' },
  precondition_failed: { status: 412, title: 'Precondition failed' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  uri_too_long: { status: 414, title: 'URI too long' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  rule_violation: { status: 422, title: 'Breaks a domain rule' },
  too_many_requests: { status: 429, title: 'Too many requests' },
  request_header_fields_too_large: { status: 431, title: 'Request header fields too large' },
  internal_error: { status: 500, title: 'Internal error' },
  service_unavailable: { status: 503, title: 'Service unavailable' },
};

export const PROBLEM_TYPE_BASE = 'https://allograft-trace.org/problems/';

const fieldIssue = z.object({
  field: z.string().meta({ description: 'Where in the request: body.…, query.… or params.…, then the path within it', example: 'body.finishedAt' }),
  message: z.string(),
});

export const problemSchema = z
  .object({
    type: z.string().meta({ description: 'A stable URI naming the kind of problem; its last segment is the code', example: `${PROBLEM_TYPE_BASE}rule_violation` }),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string().meta({ description: 'What went wrong, for a person' }),
    instance: z.string().optional().meta({ description: 'The path of the request' }),
    requestId: z.string().meta({ description: 'Also in the x-request-id header; quote it when reporting a problem' }),
    errors: z.array(fieldIssue).optional().meta({ description: 'For 400 validation_failed and 422 rule_violation: every field the problem is about, named one way' }),
    currentStatus: z.string().optional().meta({ description: 'For 409 invalid_state: the state that refuses the transition' }),
    allowedRoles: z.array(z.string()).optional().meta({ description: 'For 403 forbidden: the roles that may call the route' }),
    allowedMethods: z.array(z.string()).optional().meta({ description: 'For 405 method_not_allowed: the methods the path answers, as in the Allow header' }),
    available: z.array(z.string()).optional().meta({ description: 'For 406 not_acceptable: the media types the operation answers in' }),
    failedPrerequisites: z
      .array(z.looseObject({ code: z.string(), detail: z.string(), testCode: z.string().optional() }))
      .optional()
      .meta({ description: 'For 409 prerequisites_unmet: every unmet prerequisite, with its code' }),
    existingId: z.string().optional().meta({ description: 'For 409 conflict: the record that already holds the value' }),
    signatureRefusal: z
      .enum(['not_a_signer', 'password_not_set', 'password_expired', 'wrong_password', 'signer_locked', 'password_changed'])
      .optional()
      .meta({ description: 'For 403 signature_refused: why the signature block did not sign; nothing was recorded but the failed attempt' }),
    retryAfterSeconds: z.number().int().optional().meta({ description: 'For 429 too_many_requests: as the Retry-After header' }),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem', description: 'An RFC 9457 problem document; members beyond these may follow for a given type' });

export type Problem = z.infer<typeof problemSchema>;

export function problem(code: ProblemCode, detail: string, request: FastifyRequest, extensions: Record<string, unknown> = {}): Problem {
  const { status, title } = problemTable[code];
  return { type: `${PROBLEM_TYPE_BASE}${code}`, title, status, detail, instance: request.url.split('?')[0], requestId: request.id, ...extensions };
}

export function sendProblem(reply: FastifyReply, body: Problem) {
  return reply.code(body.status).type('application/problem+json').send(body);
}

function validationProblem(error: FastifyError & { validationContext?: string }, request: FastifyRequest): Problem {
  // Fastify calls the query "querystring"; the problem names it as README does: query.limit.
  const where = error.validationContext === 'querystring' ? 'query' : (error.validationContext ?? 'body');
  const errors = (error.validation ?? []).map((issue) => {
    const path = issue.instancePath.split('/').filter(Boolean).join('.');
    return { field: path ? `${where}.${path}` : where, message: issue.message ?? 'is invalid' };
  });
  const summary = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
  return problem('validation_failed', `The request has invalid fields: ${summary}`, request, { errors });
}

/** Prisma's request error codes that the input can cause, and what they mean for the client. */
const prismaCodes: Record<string, { code: ProblemCode; detail: string }> = {
  P2000: { code: 'bad_request', detail: 'A value is too long to be stored.' },
  P2002: { code: 'conflict', detail: 'A record with the same unique value already exists.' },
  P2003: { code: 'rule_violation', detail: 'A referenced record does not exist.' },
  P2004: { code: 'rule_violation', detail: 'A constraint of the database refused the record.' },
  P2005: { code: 'bad_request', detail: 'A value cannot be stored in its field.' },
  P2006: { code: 'bad_request', detail: 'A value is not valid for its field.' },
  P2007: { code: 'bad_request', detail: 'A value is not valid for its field.' },
  P2011: { code: 'bad_request', detail: 'A required value is missing.' },
  P2012: { code: 'bad_request', detail: 'A required value is missing.' },
  P2014: { code: 'conflict', detail: 'The change would break a relation between records.' },
  P2020: { code: 'bad_request', detail: 'A value is out of range for its field.' },
  P2023: { code: 'bad_request', detail: 'A value is not valid for its field.' },
  P2025: { code: 'not_found', detail: 'The record does not exist.' },
  P2024: { code: 'service_unavailable', detail: 'The database is busy; retry in a moment.' },
  P2028: { code: 'service_unavailable', detail: 'The database did not finish the request in time; nothing was recorded. Retry in a moment.' },
  P2034: { code: 'service_unavailable', detail: 'The request collided with others more times than it retries; nothing was recorded. Retry in a moment.' },
  P2037: { code: 'service_unavailable', detail: 'The database has too many connections; retry in a moment.' },
};

/**
 * PostgreSQL's SQLSTATE classes that the input (or the load) can cause. Anything else is a
 * defect of the service and stays a 500. The detail never echoes the value: PostgreSQL's
 * messages can carry it, and it may identify a patient.
 */
function sqlStateProblem(state: string): { code: ProblemCode; detail: string } | null {
  if (state === '23505' || state === '23P01') return { code: 'conflict', detail: 'A record with the same unique value already exists.' };
  if (state === '23503' || state === '23001') return { code: 'rule_violation', detail: 'A referenced record does not exist.' };
  if (state === '23514') return { code: 'rule_violation', detail: 'A constraint of the database refused the record.' };
  if (state.startsWith('23')) return { code: 'bad_request', detail: 'A required value is missing or not allowed.' };
  if (state.startsWith('22')) return { code: 'bad_request', detail: `A value in the request cannot be stored (SQLSTATE ${state}).` };
  if (state.startsWith('54')) return { code: 'bad_request', detail: `A value in the request is too large to be stored or indexed (SQLSTATE ${state}).` };
  if (state === '40001' || state === '40P01' || state === '55P03' || state === '57014' || state.startsWith('53')) {
    return { code: 'service_unavailable', detail: 'The database did not finish the request in time; nothing was recorded. Retry in a moment.' };
  }
  return null;
}

export { sqlStateOf };

function databaseProblem(error: unknown, request: FastifyRequest): Problem | null {
  const state = sqlStateOf(error);
  const byState = state ? sqlStateProblem(state) : null;
  const prismaCode = (error as { code?: unknown }).code;
  const byCode = typeof prismaCode === 'string' ? prismaCodes[prismaCode] : undefined;
  const mapped = byState ?? byCode;
  if (!mapped) return null;
  const extensions: Record<string, unknown> = {};
  if (mapped.code === 'conflict') extensions.target = (error as { meta?: { target?: unknown } }).meta?.target;
  return problem(mapped.code, mapped.detail, request, extensions);
}

/** Errors raised by Fastify itself, by their code. */
const frameworkCodes: Record<string, ProblemCode> = {
  FST_ERR_HANDLER_TIMEOUT: 'service_unavailable',
};

export function toProblem(error: FastifyError, request: FastifyRequest): Problem {
  if (error instanceof DomainError) return problem(error.code, error.message, request, error.extensions);
  if (error instanceof DeadlineExceeded) return problem('service_unavailable', error.message, request);
  if (hasZodFastifySchemaValidationErrors(error)) return validationProblem(error, request);
  if (isResponseSerializationError(error)) return problem('internal_error', 'The response could not be produced.', request);
  const fromDatabase = databaseProblem(error, request);
  if (fromDatabase) return fromDatabase;
  const framework = frameworkCodes[error.code];
  if (framework) return problem(framework, error.message, request);
  const status = error.statusCode ?? 500;
  if (status === 415) return problem('unsupported_media_type', error.message, request);
  if (status === 413) return problem('payload_too_large', error.message, request);
  if (status === 414) return problem('uri_too_long', 'The URL, or one of its path segments, is too long.', request);
  if (status === 408) return problem('request_timeout', error.message, request);
  if (status === 431) return problem('request_header_fields_too_large', error.message, request);
  if (status === 503) return problem('service_unavailable', error.message, request);
  // Other client errors keep their status under the generic bad_request type.
  if (status >= 400 && status < 500) return problem('bad_request', error.message, request, status === 400 ? {} : { status });
  return problem('internal_error', 'An unexpected error occurred. Quote the request id when reporting it.', request);
}
