import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { newReceipt, newShipment, receipt, shipment, shipmentListQuery } from '../../domain/shipments/shipment-schemas.ts';
import { idParams, pageOf } from '../../domain/shared/schemas.ts';
import { contextOf } from '../plugins/auth.ts';
import { errorResponses } from '../responses.ts';

const tags = ['shipments'];

export const shipmentRoutes: FastifyPluginAsyncZod = async (app) => {
  const { shipments } = app.services;

  app.post('/shipments', {
    config: { allow: ['admin', 'coordinator'] },
    schema: {
      operationId: 'createShipment',
      tags,
      summary: 'Ship released, unexpired units from a facility to a consignee; all or nothing',
      body: newShipment,
      response: { 201: shipment, ...errorResponses(400, 401, 403, 409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await shipments.ship(contextOf(request), request.body)),
  });

  app.post('/shipments/:id/receipt', {
    config: { allow: ['admin', 'coordinator', 'clinician'] },
    schema: {
      operationId: 'receiveShipment',
      tags,
      summary: 'Record receipt at the consignee (clinicians of that facility); units in bad condition go to quarantine there',
      params: idParams,
      body: newReceipt,
      response: { 201: receipt, ...errorResponses(400, 401, 403, 404, 409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await shipments.receive(contextOf(request), request.params.id, request.body)),
  });

  app.get('/shipments', {
    config: { allow: ['admin', 'coordinator', 'quality', 'auditor', 'clinician'] },
    schema: {
      operationId: 'listShipments',
      tags,
      summary: 'Shipments in the order they were recorded, by facility, direction and status (clinicians: their facility)',
      querystring: shipmentListQuery,
      response: { 200: pageOf(shipment, 'ShipmentPage'), ...errorResponses(400, 401, 403, 404, 422) },
    },
    handler: async (request) => shipments.list(contextOf(request), request.query),
  });

  app.get('/shipments/:id', {
    config: { allow: ['admin', 'coordinator', 'quality', 'auditor', 'clinician'] },
    schema: {
      operationId: 'getShipment',
      tags,
      summary: 'A shipment with its units and receipt (clinicians: shipments from or to their facility)',
      params: idParams,
      response: { 200: shipment, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => shipments.get(contextOf(request), request.params.id),
  });
};
