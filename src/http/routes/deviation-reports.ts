import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  deviationReport,
  deviationReportClosure,
  deviationReportPage,
  deviationReportQuery,
  newDeviationReport,
} from '../../domain/deviation-reports/deviation-report-schemas.ts';
import { idParams } from '../../domain/shared/schemas.ts';
import { contextOf } from '../plugins/auth.ts';
import { errorResponses } from '../responses.ts';

const tags = ['deviation-reports'];
// Bank staff open reports; closing one (investigated, reported to FDA) is quality's decision.
const openers = ['quality', 'coordinator', 'admin'] as const;
const readers = ['quality', 'coordinator', 'auditor', 'admin'] as const;

export const deviationReportRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deviationReports } = app.services;

  app.post('/lots/:id/deviation-reports', {
    config: { allow: openers },
    schema: {
      operationId: 'openDeviationReport',
      tags,
      summary: 'Report a deviation from a core CGTP requirement found in a distributed lot: due to FDA 45 days after its discovery',
      description:
        '21 CFR 1271.350(b). Refused (422) for a lot none of whose units was ever shipped: a deviation found before distribution is recorded with its processing step, where it blocks release.',
      params: idParams,
      body: newDeviationReport,
      response: { 201: deviationReport, ...errorResponses(400, 401, 403, 404, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await deviationReports.open(contextOf(request), request.params.id, request.body)),
  });

  app.get('/deviation-reports', {
    config: { allow: readers },
    schema: {
      operationId: 'listDeviationReports',
      tags,
      summary: 'Deviation reports by due date, each with an overdue flag',
      querystring: deviationReportQuery,
      response: { 200: deviationReportPage, ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => deviationReports.list(request.query),
  });

  app.get('/deviation-reports/:id', {
    config: { allow: readers },
    schema: {
      operationId: 'getDeviationReport',
      tags,
      summary: 'A deviation report',
      params: idParams,
      response: { 200: deviationReport, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => deviationReports.get(request.params.id),
  });

  app.post('/deviation-reports/:id/closure', {
    config: { allow: ['quality', 'admin'] },
    schema: {
      operationId: 'closeDeviationReport',
      tags,
      summary: 'Close a deviation report with the outcome of its investigation and the reference of the report sent to FDA',
      params: idParams,
      body: deviationReportClosure,
      response: { 200: deviationReport, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => deviationReports.close(contextOf(request), request.params.id, request.body),
  });
};
