// FHIR R5 endpoints: application/fhir+json, read-only. Errors stay RFC 9457 problem documents,
// as everywhere in this API.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { FHIR_MEDIA_TYPE } from '../../domain/fhir/fhir-capabilities.ts';
import { fhirBundle, fhirCapabilityStatement, fhirDispense, fhirIdParams, fhirProcedure, fhirProduct, productSearchQuery } from '../../domain/fhir/fhir-schemas.ts';
import { contextOf } from '../plugins/auth.ts';
import { errorResponses } from '../responses.ts';

const tags = ['fhir'];
const readers = ['admin', 'coordinator', 'quality', 'auditor', 'clinician'] as const;
const tracers = readers;

/** The base URL resources are addressed from in fullUrl and the CapabilityStatement. */
const baseUrl = (request: FastifyRequest) => `${request.protocol}://${request.host}`;

const fhirJson = <T>(reply: FastifyReply, body: T) => reply.type(FHIR_MEDIA_TYPE).send(body);
const ok = <T>(schema: T) => ({ content: { [FHIR_MEDIA_TYPE]: { schema } } });

export const fhirRoutes: FastifyPluginAsyncZod = async (app) => {
  const { fhir } = app.services;

  app.get('/fhir/metadata', {
    config: { allow: 'public' },
    schema: {
      operationId: 'fhirCapabilities',
      tags,
      summary: 'FHIR R5 CapabilityStatement: the resources and interactions this server offers',
      response: { 200: ok(fhirCapabilityStatement) },
    },
    handler: async (request, reply) => fhirJson(reply, fhir.metadata(baseUrl(request))),
  });

  app.get('/fhir/BiologicallyDerivedProduct', {
    config: { allow: readers },
    schema: {
      operationId: 'fhirSearchProducts',
      tags,
      summary: 'Find a unit as a FHIR BiologicallyDerivedProduct by its code as scanned or typed (searchset Bundle)',
      querystring: productSearchQuery,
      response: { 200: ok(fhirBundle), ...errorResponses(400, 401, 403) },
    },
    handler: async (request, reply) => fhirJson(reply, await fhir.searchProducts(contextOf(request), request.query.identifier, baseUrl(request))),
  });

  app.get('/fhir/BiologicallyDerivedProduct/:id', {
    config: { allow: readers },
    schema: {
      operationId: 'fhirReadProduct',
      tags,
      summary: 'A unit as a FHIR R5 BiologicallyDerivedProduct: ISBT 128 product code and DIN, division, collection, processing, storage, status',
      description: 'Recorded as a trace read of the unit (unit.trace_read). Clinicians read units at, or administered at, their facility.',
      params: fhirIdParams,
      response: { 200: ok(fhirProduct), ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request, reply) => fhirJson(reply, await fhir.product(contextOf(request), request.params.id)),
  });

  app.get('/fhir/BiologicallyDerivedProduct/:id/$trace', {
    config: { allow: tracers },
    schema: {
      operationId: 'fhirTraceProduct',
      tags,
      summary: 'A unit’s backward trace as a FHIR R5 collection Bundle: product, organizations, patients (identifier only), dispenses and procedures',
      description: 'Recorded as a trace read of the unit (unit.trace_read).',
      params: fhirIdParams,
      response: { 200: ok(fhirBundle), ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request, reply) => fhirJson(reply, await fhir.traceBundle(contextOf(request), request.params.id, baseUrl(request))),
  });

  app.get('/fhir/BiologicallyDerivedProductDispense/:id', {
    config: { allow: readers },
    schema: {
      operationId: 'fhirReadDispense',
      tags,
      summary: 'An administration as a FHIR R5 BiologicallyDerivedProductDispense (the unit issued to the patient)',
      params: fhirIdParams,
      response: { 200: ok(fhirDispense), ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request, reply) => fhirJson(reply, await fhir.dispense(contextOf(request), request.params.id)),
  });

  app.get('/fhir/Procedure/:id', {
    config: { allow: readers },
    schema: {
      operationId: 'fhirReadProcedure',
      tags,
      summary: 'An administration as a FHIR R5 Procedure whose `used` is the product',
      params: fhirIdParams,
      response: { 200: ok(fhirProcedure), ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request, reply) => fhirJson(reply, await fhir.procedure(contextOf(request), request.params.id)),
  });
};
