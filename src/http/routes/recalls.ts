import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { newRecall, recallReport } from '../../domain/recalls/recall-schemas.ts';
import { idParams } from '../../domain/shared/schemas.ts';
import { contextOf } from '../plugins/auth.ts';
import { errorResponses } from '../responses.ts';

export const recallRoutes: FastifyPluginAsyncZod = async (app) => {
  const { recalls } = app.services;

  // Recalls belong to the quality unit (21 CFR 1271.160: the quality program owns recall
  // procedures): quality and admins start them; coordinators read them to act on them.
  app.post('/recalls', {
    config: { allow: ['quality', 'admin'] },
    schema: {
      operationId: 'createRecall',
      tags: ['recalls'],
      summary: 'Recall a lot or a donor: hold every unit still in inventory, and report the reach',
      description: 'In one transaction. The report lists units held per facility, units administered with the patients to notify per facility, units discarded.',
      body: newRecall,
      response: { 201: recallReport, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request, reply) => reply.code(201).send(await recalls.create(contextOf(request), request.body)),
  });

  app.get('/recalls/:id', {
    config: { allow: ['coordinator', 'quality', 'admin', 'auditor'] },
    schema: {
      operationId: 'getRecall',
      tags: ['recalls'],
      summary: 'The report of a recall as it stood when made; later events do not change it',
      params: idParams,
      response: { 200: recallReport, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => recalls.get(request.params.id),
  });
};
