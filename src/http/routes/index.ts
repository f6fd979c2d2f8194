import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiKeyRoutes } from './api-keys.ts';
import { auditRoutes } from './audit.ts';
import { facilityRoutes } from './facilities.ts';
import { healthRoutes } from './health.ts';

/** Every route of the service. Each capability registers its own file here. */
export const routes: FastifyPluginAsyncZod = async (app) => {
  await app.register(healthRoutes);
  await app.register(apiKeyRoutes);
  await app.register(facilityRoutes);
  await app.register(auditRoutes);
};
