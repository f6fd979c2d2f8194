import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { endpointView, newEndpoint, noticeListQuery, noticePage, noticeView } from '../../domain/notices/notice-schemas.ts';
import { idParams } from '../../domain/shared/schemas.ts';
import { contextOf } from '../plugins/auth.ts';
import { errorResponses } from '../responses.ts';

const tags = ['recalls'];

export const noticeRoutes: FastifyPluginAsyncZod = async (app) => {
  const { notices } = app.services;

  app.post('/facilities/:id/recall-notice-endpoint', {
    config: { allow: ['admin', 'coordinator'] },
    schema: {
      operationId: 'registerRecallNoticeEndpoint',
      tags,
      summary: 'Register where a consignee receives recall notices, and the shared secret they are signed with (a new registration: the previous one stays on record, superseded)',
      description:
        'Notices are POSTed as JSON with X-Allograft-Timestamp (Unix seconds), X-Allograft-Signature (v1= HMAC-SHA256 hex over "<timestamp>.<body>") ' +
        'and X-Allograft-Notice-Id (the same on every retry). Any 2xx answer is a delivery; anything else is retried with exponential backoff.',
      params: idParams,
      body: newEndpoint,
      response: { 201: endpointView, ...errorResponses(400, 401, 403, 404, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await notices.registerEndpoint(contextOf(request), request.params.id, request.body)),
  });

  app.get('/facilities/:id/recall-notice-endpoint', {
    config: { allow: ['admin', 'coordinator', 'quality', 'auditor'] },
    schema: {
      operationId: 'getRecallNoticeEndpoint',
      tags,
      summary: 'Where a consignee receives recall notices (the secret only as a fingerprint)',
      params: idParams,
      response: { 200: endpointView, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => notices.endpoint(request.params.id),
  });

  app.get('/recall-notices', {
    config: { allow: ['admin', 'coordinator', 'quality', 'auditor'] },
    schema: {
      operationId: 'listRecallNotices',
      tags,
      summary: 'Notices sent to consignees, in the order they were created, by facility, recall, kind and status (each one in full, with its attempts, at /recall-notices/{id})',
      querystring: noticeListQuery,
      response: { 200: noticePage, ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => notices.list(request.query),
  });

  app.get('/recall-notices/:id', {
    config: { allow: ['admin', 'coordinator', 'quality', 'auditor'] },
    schema: {
      operationId: 'getRecallNotice',
      tags,
      summary: 'A notice sent to a consignee (after a recall, a consent withdrawal or an adverse reaction implicating the donor), with every delivery attempt',
      params: idParams,
      response: { 200: noticeView, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => notices.notice(request.params.id),
  });
};
