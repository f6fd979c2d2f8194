import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { newRecall, noticeState, recallAcknowledgement, recallCountersignature, recallListQuery, recallSummary, recallWithNotices } from '../../domain/recalls/recall-schemas.ts';
import { idParams, pageOf } from '../../domain/shared/schemas.ts';
import { contextOf } from '../plugins/auth.ts';
import { errorResponses } from '../responses.ts';

export const recallRoutes: FastifyPluginAsyncZod = async (app) => {
  const { recalls, notices } = app.services;

  // Recalls belong to the quality unit (21 CFR 1271.160: the quality program owns recall
  // procedures): quality and admins start them; coordinators read them to act on them.
  app.post('/recalls', {
    config: { allow: ['quality', 'admin'] },
    schema: {
      operationId: 'createRecall',
      tags: ['recalls'],
      summary: 'Recall a lot or a donor, signed: hold every unit still in inventory, and report the reach',
      description: 'In one transaction. The report lists units held per facility, units administered with the patients to notify per facility, units discarded.',
      body: newRecall,
      response: { 201: recallWithNotices, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request, reply) => reply.code(201).send(await recalls.create(contextOf(request), request.body)),
  });

  app.post('/recalls/:id/countersignature', {
    config: { allow: ['quality', 'admin'] },
    schema: {
      operationId: 'countersignRecall',
      tags: ['recalls'],
      summary: "Quality's countersignature of a recall, by another person than its initiator; once",
      params: idParams,
      body: recallCountersignature,
      response: { 201: recallWithNotices, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request, reply) => reply.code(201).send(await recalls.countersign(contextOf(request), request.params.id, request.body)),
  });

  app.get('/recalls', {
    config: { allow: ['coordinator', 'quality', 'admin', 'auditor'] },
    schema: {
      operationId: 'listRecalls',
      tags: ['recalls'],
      summary: 'Recalls in the order they were made, by scope, lot or donor, each with the totals of its reach',
      querystring: recallListQuery,
      response: { 200: pageOf(recallSummary, 'RecallPage'), ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => recalls.list(request.query),
  });

  app.get('/recalls/:id', {
    config: { allow: ['coordinator', 'quality', 'admin', 'auditor'] },
    schema: {
      operationId: 'getRecall',
      tags: ['recalls'],
      summary: 'The report of a recall as it stood when made, with each consignee’s notice: notified at, acknowledged at, what is outstanding',
      params: idParams,
      response: { 200: recallWithNotices, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => recalls.getWithNotices(request.params.id),
  });

  app.post('/recalls/:id/acknowledgements', {
    config: { allow: ['clinician', 'admin'] },
    schema: {
      operationId: 'acknowledgeRecall',
      tags: ['recalls'],
      summary: 'A consignee acknowledges a recall: units quarantined, patients notified (a clinician for her facility, an admin naming it)',
      description: 'Once per facility (409 after). Stops delivery of the facility’s notice if it is still being retried. 422 for a facility the recall sent no notice.',
      params: idParams,
      body: recallAcknowledgement,
      response: { 201: noticeState, ...errorResponses(400, 401, 403, 404, 409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await notices.acknowledge(contextOf(request), request.params.id, request.body)),
  });
};
