import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { donorTrace, lotTrace, patientExposures, unitTrace } from '../../domain/trace/trace-schemas.ts';
import { unitCodeParams } from '../../domain/units/unit-schemas.ts';
import { idParams } from '../../domain/shared/schemas.ts';
import { contextOf } from '../plugins/auth.ts';
import { errorResponses } from '../responses.ts';
import { wireResponse } from '../serializer.ts';

const tracers = ['auditor', 'admin', 'quality', 'coordinator'] as const;

export const traceRoutes: FastifyPluginAsyncZod = async (app) => {
  const { trace } = app.services;

  app.get('/units/:code/trace', {
    config: { allow: [...tracers, 'clinician'] },
    schema: {
      operationId: 'traceUnit',
      tags: ['trace'],
      summary: 'Backward trace of a unit: lot, donor code, consents, screening, eligibility, processing, release, shipments, administration or disposition, adverse reactions',
      description:
        'Clinicians trace only units at, or administered at, their facility; any other unit is 404 for them. ' +
        'Every answer is recorded as an audit read event (`unit.trace_read`) in the same transaction that reads it; a 404 records nothing.',
      params: unitCodeParams,
      response: { 200: wireResponse(unitTrace), ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => trace.unitTrace(contextOf(request), request.params.code),
  });

  app.get('/lots/:id/trace', {
    config: { allow: tracers },
    schema: {
      operationId: 'traceLot',
      tags: ['trace'],
      summary: 'Forward trace of a lot: every unit with its status and place, every current administration with facility and patient',
      params: idParams,
      response: { 200: wireResponse(lotTrace), ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => trace.lotTrace(contextOf(request), request.params.id),
  });

  app.get('/donors/:id/trace', {
    config: { allow: tracers },
    schema: {
      operationId: 'traceDonor',
      tags: ['trace'],
      summary: 'Forward trace of a donor: every lot and unit with status and place, every current administration with facility and patient',
      params: idParams,
      response: { 200: wireResponse(donorTrace), ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => trace.donorTrace(contextOf(request), request.params.id),
  });

  app.get('/patients/:id/exposures', {
    config: { allow: [...tracers, 'clinician'] },
    schema: {
      operationId: 'patientExposures',
      tags: ['trace'],
      summary: 'Every unit a patient received (current administration versions), each with its lot DIN and donor code',
      params: idParams,
      response: { 200: wireResponse(patientExposures), ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => trace.exposures(contextOf(request), request.params.id),
  });
};
