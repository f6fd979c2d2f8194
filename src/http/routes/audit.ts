import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { auditEventList, auditQuery, chainVerification, verificationQuery } from '../../domain/audit/audit-schemas.ts';
import { errorResponses } from '../responses.ts';

const auditors = ['admin', 'auditor', 'quality'] as const;

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  const { audit } = app.services;

  app.get('/audit-events', {
    config: { allow: auditors },
    schema: {
      operationId: 'listAuditEvents',
      tags: ['audit'],
      summary: 'The audit trail in order, filtered by entity or action',
      querystring: auditQuery,
      response: { 200: auditEventList, ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => audit.list(request.query),
  });

  app.get('/audit-events/verification', {
    config: { allow: auditors },
    schema: {
      operationId: 'verifyAuditChain',
      tags: ['audit'],
      summary: 'Recompute the hash chain over every event and report the first break; with a checkpoint kept from an earlier run, also prove nothing was cut from the end',
      querystring: verificationQuery,
      response: { 200: chainVerification, ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => audit.verifyChain(request.query.checkpoint),
  });
};
