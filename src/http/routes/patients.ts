import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { newPatient, patient, patientList, patientQuery } from '../../domain/patients/patient-schemas.ts';
import { idParams } from '../../domain/shared/schemas.ts';
import { contextOf } from '../plugins/auth.ts';
import { errorResponses } from '../responses.ts';

export const patientRoutes: FastifyPluginAsyncZod = async (app) => {
  const { patients } = app.services;

  app.post('/patients', {
    config: { allow: ['clinician', 'admin'] },
    schema: {
      operationId: 'createPatient',
      tags: ['patients'],
      summary: "Register a patient by medical record number at the clinician's facility (no names are stored)",
      body: newPatient,
      response: { 201: patient, ...errorResponses(400, 401, 403, 404, 409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await patients.create(contextOf(request), request.body)),
  });

  app.get('/patients/:id', {
    config: { allow: ['clinician', 'admin', 'auditor', 'quality'] },
    schema: {
      operationId: 'getPatient',
      tags: ['patients'],
      summary: "A patient; clinicians see only their facility's patients",
      params: idParams,
      response: { 200: patient, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => patients.get(contextOf(request), request.params.id),
  });

  app.get('/patients', {
    config: { allow: ['clinician', 'admin', 'auditor', 'quality'] },
    schema: {
      operationId: 'listPatients',
      tags: ['patients'],
      summary: "A facility's patients in registration order, or the one with a medical record number (clinicians: their facility)",
      querystring: patientQuery,
      response: { 200: patientList, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => patients.find(contextOf(request), request.query),
  });
};
