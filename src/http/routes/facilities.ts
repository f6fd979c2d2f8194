import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { facility, facilityListQuery, newFacility } from '../../domain/facilities/facility-schemas.ts';
import { idParams, pageOf } from '../../domain/shared/schemas.ts';
import { contextOf } from '../plugins/auth.ts';
import { errorResponses } from '../responses.ts';

const readers = ['admin', 'coordinator', 'quality', 'clinician', 'auditor'] as const;

export const facilityRoutes: FastifyPluginAsyncZod = async (app) => {
  const { facilities } = app.services;

  app.post('/facilities', {
    config: { allow: ['admin', 'coordinator'] },
    schema: {
      operationId: 'createFacility',
      tags: ['facilities'],
      summary: 'Register a facility: tissue bank, processor, clinic, hospital or laboratory',
      body: newFacility,
      response: { 201: facility, ...errorResponses(400, 401, 403, 409) },
    },
    handler: async (request, reply) => reply.code(201).send(await facilities.create(contextOf(request), request.body)),
  });

  app.get('/facilities/:id', {
    config: { allow: readers },
    schema: {
      operationId: 'getFacility',
      tags: ['facilities'],
      summary: 'A facility',
      params: idParams,
      response: { 200: facility, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => facilities.get(request.params.id),
  });

  app.get('/facilities', {
    config: { allow: readers },
    schema: {
      operationId: 'listFacilities',
      tags: ['facilities'],
      summary: 'Facilities in registration order, filtered by kind',
      querystring: facilityListQuery,
      response: { 200: pageOf(facility, 'FacilityPage'), ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => facilities.list(request.query),
  });
};
