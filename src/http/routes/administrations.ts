import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { administration, administrationCorrection, administrationListQuery, newAdministration } from '../../domain/administrations/administration-schemas.ts';
import { idParams, pageOf } from '../../domain/shared/schemas.ts';
import { contextOf } from '../plugins/auth.ts';
import { errorResponses } from '../responses.ts';

export const administrationRoutes: FastifyPluginAsyncZod = async (app) => {
  const { administrations } = app.services;

  app.post('/administrations', {
    config: { allow: ['clinician', 'admin'] },
    schema: {
      operationId: 'administerUnit',
      tags: ['administrations'],
      summary: 'Record the administration of a unit to a patient; refused with the reason when the unit may not be used',
      description:
        'Refused when the unit is not released and distributed, not received at the facility, expired on the administration date, ' +
        'on hold, recalled, discarded or already administered (409 invalid_state with currentStatus, or 422 rule_violation).',
      body: newAdministration,
      response: { 201: administration, ...errorResponses(400, 401, 403, 404, 409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await administrations.administer(contextOf(request), request.body)),
  });

  app.get('/administrations', {
    config: { allow: ['clinician', 'admin', 'auditor', 'quality', 'coordinator'] },
    schema: {
      operationId: 'listAdministrations',
      tags: ['administrations'],
      summary: 'Administrations by facility, patient or unit, every version in the order recorded (clinicians: their facility)',
      querystring: administrationListQuery,
      response: { 200: pageOf(administration, 'AdministrationPage'), ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => administrations.list(contextOf(request), request.query),
  });

  app.get('/administrations/:id', {
    config: { allow: ['clinician', 'admin', 'auditor', 'quality', 'coordinator'] },
    schema: {
      operationId: 'getAdministration',
      tags: ['administrations'],
      summary: 'An administration version; a superseded one shows supersededAt and correctedById',
      params: idParams,
      response: { 200: administration, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => administrations.get(contextOf(request), request.params.id),
  });

  app.post('/administrations/:id/corrections', {
    config: { allow: ['clinician', 'admin'] },
    schema: {
      operationId: 'correctAdministration',
      tags: ['administrations'],
      summary: 'Correct an administration (wrong patient, wrong time…): a new version that points at the old one',
      params: idParams,
      body: administrationCorrection,
      response: { 201: administration, ...errorResponses(400, 401, 403, 404, 409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await administrations.correct(contextOf(request), request.params.id, request.body)),
  });
};
