import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  adverseReaction,
  adverseReactionList,
  adverseReactionQuery,
  adverseReactionWithTrace,
  investigationClosure,
  newAdverseReaction,
} from '../../domain/adverse-reactions/adverse-reaction-schemas.ts';
import { idParams } from '../../domain/shared/schemas.ts';
import { contextOf } from '../plugins/auth.ts';
import { errorResponses } from '../responses.ts';

const investigators = ['quality', 'coordinator', 'auditor', 'admin', 'clinician'] as const;

export const adverseReactionRoutes: FastifyPluginAsyncZod = async (app) => {
  const { adverseReactions } = app.services;

  app.post('/administrations/:id/adverse-reactions', {
    config: { allow: ['clinician', 'admin'] },
    schema: {
      operationId: 'reportAdverseReaction',
      tags: ['adverse-reactions'],
      summary: 'Report an adverse reaction: opens an investigation, due for report to FDA in 15 days when a communicable disease is involved or suspected',
      params: idParams,
      body: newAdverseReaction,
      response: { 201: adverseReaction, ...errorResponses(400, 401, 403, 404, 409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await adverseReactions.report(contextOf(request), request.params.id, request.body)),
  });

  app.get('/adverse-reactions', {
    config: { allow: investigators },
    schema: {
      operationId: 'listAdverseReactions',
      tags: ['adverse-reactions'],
      summary: 'Adverse reactions by report due date (those without one last), each with an overdue flag (clinicians: their facility)',
      querystring: adverseReactionQuery,
      response: { 200: adverseReactionList, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => adverseReactions.list(contextOf(request), request.query),
  });

  app.get('/adverse-reactions/:id', {
    config: { allow: investigators },
    schema: {
      operationId: 'getAdverseReaction',
      tags: ['adverse-reactions'],
      summary: "An adverse reaction's investigation with the unit's full backward trace (recorded as a trace read)",
      params: idParams,
      response: { 200: adverseReactionWithTrace, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => adverseReactions.get(contextOf(request), request.params.id),
  });

  app.post('/adverse-reactions/:id/closure', {
    config: { allow: ['quality', 'coordinator', 'admin'] },
    schema: {
      operationId: 'closeAdverseReactionInvestigation',
      tags: ['adverse-reactions'],
      summary: 'Close the investigation (signed) of an adverse reaction with its outcome',
      params: idParams,
      body: investigationClosure,
      response: { 200: adverseReaction, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => adverseReactions.close(contextOf(request), request.params.id, request.body),
  });
};
