// RFC 9457 problem details: one table from error code to status and title, one handler.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError, type ErrorCode } from '../domain/shared/errors.ts';

type ProblemCode = ErrorCode | 'bad_request' | 'not_acceptable' | 'unsupported_media_type' | 'payload_too_large' | 'internal_error' | 'service_unavailable';

const problemTable: Record<ProblemCode, { status: number; title: string }> = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  bad_request: { status: 400, title: 'Bad request' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Not allowed for this role' },
  not_found: { status: 404, title: 'Not found' },
  not_acceptable: { status: 406, title: 'None of the accepted media types can be produced' },
  conflict: { status: 409, title: 'Conflicts with a recorded fact' },
  invalid_state: { status: 409, title: 'Not allowed in the current state' },
  prerequisites_unmet: { status: 409, title: 'Prerequisites are not met' },
  precondition_failed: { status: 412, title: 'Precondition failed' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  rule_violation: { status: 422, title: 'Breaks a domain rule' },
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
    failedPrerequisites: z
      .array(z.looseObject({ code: z.string(), detail: z.string(), testCode: z.string().optional() }))
      .optional()
      .meta({ description: 'For 409 prerequisites_unmet: every unmet prerequisite, with its code' }),
    existingId: z.string().optional().meta({ description: 'For 409 conflict: the record that already holds the value' }),
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

function prismaProblem(error: { code: string; meta?: Record<string, unknown> }, request: FastifyRequest): Problem | null {
  switch (error.code) {
    case 'P2002':
      return problem('conflict', 'A record with the same unique value already exists.', request, { target: error.meta?.target });
    case 'P2025':
      return problem('not_found', 'The record does not exist.', request);
    case 'P2003':
      return problem('rule_violation', 'A referenced record does not exist.', request);
    default:
      return null;
  }
}

export function toProblem(error: FastifyError, request: FastifyRequest): Problem {
  if (error instanceof DomainError) return problem(error.code, error.message, request, error.extensions);
  if (hasZodFastifySchemaValidationErrors(error)) return validationProblem(error, request);
  if (isResponseSerializationError(error)) return problem('internal_error', 'The response could not be produced.', request);
  const prismaCode = (error as { code?: unknown }).code;
  if (typeof prismaCode === 'string' && /^P\d{4}$/.test(prismaCode)) {
    const mapped = prismaProblem(error as unknown as { code: string; meta?: Record<string, unknown> }, request);
    if (mapped) return mapped;
  }
  const status = error.statusCode ?? 500;
  if (status === 415) return problem('unsupported_media_type', error.message, request);
  if (status === 413) return problem('payload_too_large', error.message, request);
  // Other client errors keep their status (414, 405, …) under the generic bad_request type.
  if (status >= 400 && status < 500) return problem('bad_request', error.message, request, status === 400 ? {} : { status });
  return problem('internal_error', 'An unexpected error occurred. Quote the request id when reporting it.', request);
}
