import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { inventory, inventoryQuery } from '../../domain/units/unit-schemas.ts';
import { contextOf } from '../plugins/auth.ts';
import { errorResponses } from '../responses.ts';

export const inventoryRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/inventory', {
    config: { allow: ['admin', 'coordinator', 'quality', 'auditor', 'clinician'] },
    schema: {
      operationId: 'getInventory',
      tags: ['units'],
      summary: 'Units by facility, tissue type, product and expiry, with counts; expired units are never listed (clinicians: their facility)',
      querystring: inventoryQuery,
      response: { 200: inventory, ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => app.services.inventory.inventory(contextOf(request), request.query),
  });
};
