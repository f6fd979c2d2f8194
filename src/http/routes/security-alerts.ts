import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { acknowledgement, securityAlert, securityAlertQuery } from '../../domain/security/security-alert-schemas.ts';
import { idParams, pageOf, pageQuery } from '../../domain/shared/schemas.ts';
import { contextOf } from '../plugins/auth.ts';
import { errorResponses } from '../responses.ts';

export const securityAlertRoutes: FastifyPluginAsyncZod = async (app) => {
  const { securityAlerts } = app.services;

  app.get('/security-alerts', {
    config: { allow: ['admin', 'auditor'] },
    schema: {
      operationId: 'listSecurityAlerts',
      tags: ['security'],
      summary: 'Security alerts, newest first: repeated failed authentication, signers locked out',
      querystring: pageQuery.extend(securityAlertQuery.shape),
      response: { 200: pageOf(securityAlert), ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => securityAlerts.list(request.query),
  });

  app.post('/security-alerts/:id/acknowledgement', {
    config: { allow: ['admin'] },
    schema: {
      operationId: 'acknowledgeSecurityAlert',
      tags: ['security'],
      summary: 'Acknowledge an alert with what was found and done; it stays listed',
      params: idParams,
      body: acknowledgement,
      response: { 200: securityAlert, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => securityAlerts.acknowledge(contextOf(request), request.params.id, request.body.note),
  });
};
