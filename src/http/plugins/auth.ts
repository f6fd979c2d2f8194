// Every route declares who may call it (`config.allow`): a list of roles, or 'public'.
// A route without a declaration stops the app from starting.
import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import type { Role } from '../../generated/prisma/enums.ts';
import type { Actor, RequestContext } from '../../domain/shared/context.ts';
import type { ApiKeyService } from '../../domain/auth/api-keys.ts';
import { DomainError } from '../../domain/shared/errors.ts';

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

export const authPlugin = fp(
  async (app, { apiKeys }: { apiKeys: ApiKeyService }) => {
    app.decorateRequest('actor', null);

    app.addHook('onRoute', (route) => {
      if (route.config?.allow) return;
      if (PUBLIC_PREFIXES.some((prefix) => route.url.startsWith(prefix))) {
        route.config = { ...route.config, allow: 'public' };
        return;
      }
      throw new Error(`Route ${route.method} ${route.url} does not declare who may call it (config.allow).`);
    });

    app.addHook('onRequest', async (request) => {
      const allow = request.routeOptions.config?.allow;
      if (!allow || allow === 'public') return;
      const header = request.headers.authorization;
      const match = header && /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) {
        throw new DomainError('unauthenticated', 'Send an API key as "Authorization: Bearer <key>".');
      }
      const actor = await apiKeys.authenticate(match[1]!);
      if (!actor) throw new DomainError('unauthenticated', 'The API key is unknown or has been revoked.');
      request.actor = actor;
      if (!allow.includes(actor.role)) {
        throw new DomainError('forbidden', `The ${actor.role} role may not call ${request.method} ${request.routeOptions.url}; allowed: ${allow.join(', ')}.`, {
          allowedRoles: allow,
        });
      }
    });
  },
  { name: 'auth' },
);
