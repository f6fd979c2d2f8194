import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { discard, disposition, unitReturn } from '../../domain/dispositions/disposition-schemas.ts';
import { unitCodeParams } from '../../domain/units/unit-schemas.ts';
import { contextOf } from '../plugins/auth.ts';
import { errorResponses } from '../responses.ts';

const disposers = ['clinician', 'coordinator', 'admin'] as const;

export const dispositionRoutes: FastifyPluginAsyncZod = async (app) => {
  const { dispositions } = app.services;

  app.post('/units/:code/discard', {
    config: { allow: disposers },
    schema: {
      operationId: 'discardUnit',
      tags: ['dispositions'],
      summary: 'Discard a unit, with the reason; clinicians only at their own facility',
      params: unitCodeParams,
      body: discard,
      response: { 201: disposition, ...errorResponses(400, 401, 403, 404, 409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await dispositions.discard(contextOf(request), request.params.code, request.body)),
  });

  app.post('/units/:code/return', {
    config: { allow: disposers },
    schema: {
      operationId: 'returnUnit',
      tags: ['dispositions'],
      summary: 'Return a distributed unit to the tissue bank, where it waits in quarantine for QA review',
      params: unitCodeParams,
      body: unitReturn,
      response: { 201: disposition, ...errorResponses(400, 401, 403, 404, 409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await dispositions.returnToBank(contextOf(request), request.params.code, request.body)),
  });
};
