import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  deviation,
  deviationClosure,
  deviationParams,
  lot,
  lotDetail,
  lotListQuery,
  newLot,
  newPreservation,
  newProcessingStep,
  preservation,
  processingCompletion,
  processingStep,
  releaseDecision,
  rejectionInput,
  releaseInput,
} from '../../domain/lots/lot-schemas.ts';
import { idParams, pageOf } from '../../domain/shared/schemas.ts';
import { contextOf } from '../plugins/auth.ts';
import { errorResponses } from '../responses.ts';

const bankStaff = ['admin', 'coordinator'] as const;
const deciders = ['admin', 'quality'] as const;
const readers = ['admin', 'coordinator', 'quality', 'auditor'] as const;
const tags = ['lots'];

export const lotRoutes: FastifyPluginAsyncZod = async (app) => {
  const { lots, processing } = app.services;

  app.post('/lots', {
    config: { allow: bankStaff },
    schema: {
      operationId: 'createLot',
      tags,
      summary: 'Record a recovered placenta (or one tissue type of it) as a lot in quarantine, with a new DIN',
      body: newLot,
      response: { 201: lot, ...errorResponses(400, 401, 403, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await lots.create(contextOf(request), request.body)),
  });

  app.get('/lots', {
    config: { allow: readers },
    schema: {
      operationId: 'listLots',
      tags,
      summary: 'Lots in recording order, filtered by status or donor',
      querystring: lotListQuery,
      response: { 200: pageOf(lot, 'LotPage'), ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => lots.list(request.query),
  });

  app.get('/lots/:id', {
    config: { allow: readers },
    schema: {
      operationId: 'getLot',
      tags,
      summary: 'A lot with its processing steps, deviations, preservation records and release decisions',
      params: idParams,
      response: { 200: lotDetail, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => lots.get(request.params.id),
  });

  app.post('/lots/:id/processing-steps', {
    config: { allow: bankStaff },
    schema: {
      operationId: 'recordProcessingStep',
      tags,
      summary: 'Record a minimal processing step with its parameters and deviations; more than minimal manipulation is refused',
      params: idParams,
      body: newProcessingStep,
      response: { 201: processingStep, ...errorResponses(400, 401, 403, 404, 409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await processing.addStep(contextOf(request), request.params.id, request.body)),
  });

  app.post('/lots/:id/deviations/:deviationId/closure', {
    config: { allow: bankStaff },
    schema: {
      operationId: 'closeDeviation',
      tags,
      summary: 'Close a processing deviation with its resolution',
      params: deviationParams,
      body: deviationClosure,
      response: { 200: deviation, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => processing.closeDeviation(contextOf(request), request.params.id, request.params.deviationId, request.body),
  });

  app.post('/lots/:id/processing-completion', {
    config: { allow: bankStaff },
    schema: {
      operationId: 'completeProcessing',
      tags,
      summary: 'Mark the processing of a lot complete',
      params: idParams,
      body: processingCompletion,
      response: { 200: lot, ...errorResponses(400, 401, 403, 404, 409, 422) },
    },
    handler: async (request) => processing.completeProcessing(contextOf(request), request.params.id, request.body),
  });

  app.post('/lots/:id/preservation', {
    config: { allow: bankStaff },
    schema: {
      operationId: 'recordPreservation',
      tags,
      summary: 'Record how the lot is preserved and stored, and its expiry (a correction is a new record; the latest counts)',
      params: idParams,
      body: newPreservation,
      response: { 201: preservation, ...errorResponses(400, 401, 403, 404, 409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await processing.addPreservation(contextOf(request), request.params.id, request.body)),
  });

  app.post('/lots/:id/release', {
    config: { allow: deciders },
    schema: {
      operationId: 'releaseLot',
      tags,
      summary: 'QA release, signed (password and meaning): refused with every failed prerequisite listed; not by whoever recorded the processing',
      params: idParams,
      body: releaseInput,
      response: { 201: releaseDecision, ...errorResponses(400, 401, 403, 404, 409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await lots.release(contextOf(request), request.params.id, request.body)),
  });

  app.post('/lots/:id/reject', {
    config: { allow: deciders },
    schema: {
      operationId: 'rejectLot',
      tags,
      summary: 'QA rejection of a lot in quarantine, signed, with the reason',
      params: idParams,
      body: rejectionInput,
      response: { 201: releaseDecision, ...errorResponses(400, 401, 403, 404, 409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await lots.reject(contextOf(request), request.params.id, request.body)),
  });
};
