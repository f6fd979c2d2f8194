// Failed authentication, limited per client address and per key prefix with @fastify/rate-limit:
// after AUTH_FAILURE_LIMIT failures within AUTH_FAILURE_WINDOW_SECONDS, requests from that address
// (or presenting a key with that prefix) are answered 429 with Retry-After until the window ends,
// whatever key they carry: the service stops evaluating keys for that client. Reaching the limit
// is written as an audit event and raises a security alert, once per subject and window.
//
// The counts live in this process (the plugin's local store): with several instances, each
// counts its own share of the failures.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';

export interface FailureLimits {
  /** Failures allowed within the window (AUTH_FAILURE_LIMIT). */
  limit: number;
  windowSeconds: number;
}

export interface Blocked {
  subject: string;
  retryAfterSeconds: number;
}

type Subject = { kind: 'address'; value: string } | { kind: 'key prefix'; value: string };

const describe = (s: Subject) => `${s.kind} ${s.value}`;

export async function createFailureLimiter(
  app: FastifyInstance,
  limits: FailureLimits,
  onLimitReached: (request: FastifyRequest, subject: string, failures: number) => Promise<void>,
) {
  await app.register(rateLimit, { global: false });
  const timeWindow = limits.windowSeconds * 1000;
  const subjectOf = new WeakMap<FastifyRequest, Subject>();
  // One limiter for both kinds of subject: the key names the kind, so counts never mix.
  const counter = app.createRateLimit({
    max: limits.limit,
    timeWindow,
    keyGenerator: (request) => {
      const subject = subjectOf.get(request)!;
      return `${subject.kind}:${subject.value}`;
    },
  });
  const subjects = (request: FastifyRequest, prefix: string | null): Subject[] => [
    { kind: 'address', value: request.ip },
    ...(prefix ? [{ kind: 'key prefix' as const, value: prefix }] : []),
  ];
  async function count(request: FastifyRequest, subject: Subject, increment: boolean) {
    subjectOf.set(request, subject);
    const result = await counter(request, { increment });
    return result.isAllowed ? null : result;
  }

  return {
    /** The first subject of this request that has used up its failures, if any. */
    async blocked(request: FastifyRequest, prefix: string | null): Promise<Blocked | null> {
      for (const subject of subjects(request, prefix)) {
        const state = await count(request, subject, false);
        if (state && state.remaining === 0) return { subject: describe(subject), retryAfterSeconds: Math.max(1, state.ttlInSeconds) };
      }
      return null;
    },
    /** Counts a failed authentication against the address and the prefix; reaching the limit is reported once. */
    async failed(request: FastifyRequest, prefix: string | null): Promise<void> {
      for (const subject of subjects(request, prefix)) {
        const state = await count(request, subject, true);
        if (state && state.remaining === 0 && !state.isExceeded) {
          await onLimitReached(request, describe(subject), limits.limit);
        }
      }
    },
  };
}
