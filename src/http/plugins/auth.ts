// Every route declares who may call it (`config.allow`): a list of roles, or 'public'.
// A route without a declaration stops the app from starting.
//
// A key is checked on every request to a route that is not public: unknown, revoked, expired
// and rotated-out keys are 401; failed authentication is limited per client address and key
// prefix (auth-failures.ts), 429 with Retry-After past the limit.
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../../generated/prisma/enums.ts';
import type { Actor, RequestContext } from '../../domain/shared/context.ts';
import { keyPrefixOf, type ApiKeyService } from '../../domain/auth/api-keys.ts';
import type { SecurityAlertService } from '../../domain/security/security-alerts.ts';
import { DomainError } from '../../domain/shared/errors.ts';
import { problem, sendProblem } from '../problems.ts';
import { createFailureLimiter, type FailureLimits } from './auth-failures.ts';

export type Allow = 'public' | readonly Role[];

declare module 'fastify' {
  interface FastifyContextConfig {
    allow?: Allow;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
}

/** The request's actor and id, for a domain service. Only valid on authenticated routes. */
export function contextOf(request: FastifyRequest): RequestContext {
  if (!request.actor) throw new DomainError('unauthenticated', 'This route needs an API key.');
  return { actor: request.actor, requestId: request.id, ...(request.deadline ? { deadline: request.deadline } : {}) };
}

// Routes that plugins register (the docs page) and that carry no declaration of their own.
const PUBLIC_PREFIXES = ['/docs'];

const refusals = {
  unknown: 'The API key is unknown or has been revoked.',
  revoked: 'The API key has been revoked.',
  expired: 'The API key has expired: ask an admin for a new one.',
  rotated: 'The API key was rotated and its grace period is over: use its successor.',
} as const;

interface AuthOptions {
  apiKeys: ApiKeyService;
  securityAlerts: SecurityAlertService;
  failures: FailureLimits;
}

export const authPlugin = fp(
  async (app, { apiKeys, securityAlerts, failures }: AuthOptions) => {
    app.decorateRequest('actor', null);
    const limiter = await createFailureLimiter(app, failures, async (request, subject, count) => {
      request.log.warn({ subject, failures: count }, 'failed authentication limit reached');
      await securityAlerts.authenticationFailures(request.id, subject, count, failures.windowSeconds);
    });

    app.addHook('onRoute', (route) => {
      if (route.config?.allow) return;
      if (PUBLIC_PREFIXES.some((prefix) => route.url.startsWith(prefix))) {
        route.config = { ...route.config, allow: 'public' };
        return;
      }
      throw new Error(`Route ${route.method} ${route.url} does not declare who may call it (config.allow).`);
    });

    async function refuse(request: FastifyRequest, prefix: string | null, detail: string): Promise<never> {
      await limiter.failed(request, prefix);
      throw new DomainError('unauthenticated', detail);
    }

    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const allow = request.routeOptions.config?.allow;
      if (!allow || allow === 'public') return;
      const header = request.headers.authorization;
      const presented = (header && /^Bearer\s+(\S+)$/i.exec(header)?.[1]) || null;
      const prefix = presented ? keyPrefixOf(presented) : null;
      const blocked = await limiter.blocked(request, prefix);
      if (blocked) {
        reply.header('retry-after', String(blocked.retryAfterSeconds));
        return sendProblem(
          reply,
          problem('too_many_requests', `Too many failed authentications for ${blocked.subject}: retry in ${blocked.retryAfterSeconds} s.`, request, {
            retryAfterSeconds: blocked.retryAfterSeconds,
          }),
        );
      }
      if (!presented) return refuse(request, null, 'Send an API key as "Authorization: Bearer <key>".');
      const result = await apiKeys.authenticate(presented);
      if ('refused' in result) return refuse(request, prefix, refusals[result.refused]);
      request.actor = result.actor;
      await apiKeys.noteUse(result.actor.keyId!);
      if (!allow.includes(result.actor.role)) {
        throw new DomainError('forbidden', `The ${result.actor.role} role may not call ${request.method} ${request.routeOptions.url}; allowed: ${allow.join(', ')}.`, {
          allowedRoles: allow,
        });
      }
    });
  },
  { name: 'auth' },
);
