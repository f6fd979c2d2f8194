import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiKey, apiKeyListQuery, createdApiKey, newApiKey, revocation } from '../../domain/auth/api-key-schemas.ts';
import { idParams, pageOf } from '../../domain/shared/schemas.ts';
import { contextOf } from '../plugins/auth.ts';
import { errorResponses } from '../responses.ts';

export const apiKeyRoutes: FastifyPluginAsyncZod = async (app) => {
  const { apiKeys } = app.services;

  app.post('/api-keys', {
    config: { allow: ['admin'] },
    schema: {
      operationId: 'createApiKey',
      tags: ['api-keys'],
      summary: 'Create an API key; the secret is in this response only',
      body: newApiKey,
      response: { 201: createdApiKey, ...errorResponses(400, 401, 403, 404, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await apiKeys.create(contextOf(request), request.body)),
  });

  app.get('/api-keys', {
    config: { allow: ['admin', 'auditor'] },
    schema: {
      operationId: 'listApiKeys',
      tags: ['api-keys'],
      summary: 'API keys in the order they were created, by role, facility or revocation; never their secrets',
      querystring: apiKeyListQuery,
      response: { 200: pageOf(apiKey, 'ApiKeyPage'), ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => apiKeys.list(request.query),
  });

  app.post('/api-keys/:id/revocation', {
    config: { allow: ['admin'] },
    schema: {
      operationId: 'revokeApiKey',
      tags: ['api-keys'],
      summary: 'Revoke a key: it stops working at once; the record stays',
      params: idParams,
      body: revocation,
      response: { 200: apiKey, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => apiKeys.revoke(contextOf(request), request.params.id, request.body.reason),
  });
};
