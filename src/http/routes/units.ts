import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { idParams } from '../../domain/shared/schemas.ts';
import { expirySweep, label, labelQuery, newUnits, printedLabelContent, unit, unitCodeParams, unitList } from '../../domain/units/unit-schemas.ts';
import { LABEL_FORMATS } from '../../domain/units/label-formats.ts';
import { negotiateFormat, notAcceptable, sendFile } from '../content-negotiation.ts';
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
      summary: 'The unit’s ISBT 128 label: what it carries (JSON), or printed as SVG, PDF or ZPL; never the donor’s identity',
      description:
        'JSON unless the Accept header or ?format= asks for image/svg+xml, application/pdf or application/zpl. The printed label carries the DIN ' +
        '(Code 128, data structure 001 with flag characters), the product code (003) and the expiration date and time (005) as barcodes, the ' +
        'eye-readable DIN with its check character boxed, tissue type, product, storage, warnings, the EU SEC where the bank has an EU code, ' +
        'and a Data Matrix compound message (023) of the same data.',
      params: unitCodeParams,
      querystring: labelQuery,
      response: { 200: { content: { 'application/json': { schema: label }, ...printedLabelContent } }, ...errorResponses(400, 401, 403, 404, 406) },
    },
    handler: async (request, reply) => {
      const format = negotiateFormat(request, LABEL_FORMATS, request.query.format);
      if (!format) return notAcceptable(request, reply, LABEL_FORMATS);
      if (format === 'json') return reply.header('vary', 'Accept').send(await units.label(contextOf(request), request.params.code));
      return sendFile(reply, await units.printedLabel(contextOf(request), request.params.code, format), 'inline');
    },
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
