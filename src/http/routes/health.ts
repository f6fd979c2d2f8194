import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readiness } from '../../db/readiness.ts';

const health = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });

const readinessReport = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    engine: z.enum(['pglite', 'postgresql']),
    durable: z.boolean().meta({ description: 'False on embedded PGlite: not durable against an OS crash' }),
    warning: z.string().optional(),
    database: z.enum(['reachable', 'unreachable']),
    pendingMigrations: z.array(z.string()),
    auditLog: z
      .object({
        queued: z.number().int(),
        lagSeconds: z.number(),
        treeSize: z.string(),
        lastHeadAgeSeconds: z.number().nullable(),
        sequencerLeader: z.boolean(),
        integrationError: z.string().nullable(),
      })
      .optional()
      .meta({ description: 'The audit log: events waiting to be integrated, how long the oldest has waited, its size and the age of its latest signed head' }),
  })
  .meta({ id: 'Readiness' });

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/health', {
    config: { allow: 'public' },
    schema: { operationId: 'health', tags: ['operations'], summary: 'Liveness: the process answers', response: { 200: health } },
    handler: async () => ({ status: 'ok' as const }),
  });

  app.get('/ready', {
    config: { allow: 'public' },
    schema: {
      operationId: 'ready',
      tags: ['operations'],
      summary: 'Readiness: the database answers and every shipped migration is applied',
      response: { 200: readinessReport, 503: readinessReport },
    },
    handler: async (_request, reply) => {
      const report = await readiness(app.database, app.shippedMigrations, app.services.sequencer);
      return reply.code(report.status === 'ready' ? 200 : 503).send(report);
    },
  });
};
