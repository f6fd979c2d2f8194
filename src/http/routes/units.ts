import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { idParams } from '../../domain/shared/schemas.ts';
import { expirySweep, label, newUnits, unit, unitCodeParams, unitList } from '../../domain/units/unit-schemas.ts';
import { contextOf } from '../plugins/auth.ts';
import { errorResponses } from '../responses.ts';

const tags = ['units'];
const readers = ['admin', 'coordinator', 'quality', 'auditor', 'clinician'] as const;

export const unitRoutes: FastifyPluginAsyncZod = async (app) => {
  const { units, expiry } = app.services;

  app.post('/lots/:id/units', {
    config: { allow: ['admin', 'coordinator'] },
    schema: {
      operationId: 'splitLot',
      tags,
      summary: 'Split a lot into units, each with its own code; they inherit the lot’s status',
      params: idParams,
      body: newUnits,
      response: { 201: unitList, ...errorResponses(400, 401, 403, 404, 409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await units.split(contextOf(request), request.params.id, request.body.units)),
  });

  app.get('/units/:code', {
    config: { allow: readers },
    schema: {
      operationId: 'getUnit',
      tags,
      summary: 'A unit by its code as printed or scanned, with or without the check character (clinicians: units at their facility)',
      params: unitCodeParams,
      response: { 200: unit, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => units.getByCode(contextOf(request), request.params.code),
  });

  app.get('/units/:code/label', {
    config: { allow: readers },
    schema: {
      operationId: 'getUnitLabel',
      tags,
      summary: 'What the unit’s label must carry; never the donor’s identity',
      params: unitCodeParams,
      response: { 200: label, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => units.label(contextOf(request), request.params.code),
  });

  app.post('/units/expiry-sweep', {
    config: { allow: ['admin', 'coordinator', 'quality'] },
    schema: {
      operationId: 'sweepExpiredUnits',
      tags,
      summary: 'Mark every unit past its expiry date that is still in inventory as expired (run daily)',
      response: { 200: expirySweep, ...errorResponses(401, 403) },
    },
    handler: async (request) => expiry.sweep(contextOf(request)),
  });
};
