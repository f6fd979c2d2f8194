// Exports: streamed files (CSV or NDJSON) with Content-Disposition: attachment. The format comes
// from ?format= or the Accept header; a row source is checked (access, existence) before the
// first byte, then streamed as the client reads.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { EXPORT_FORMATS, encodeExport, type Export, type ExportFormat } from '../../domain/exports/export-encoding.ts';
import { auditExportQuery, exportContent, exportQuery, inventoryExportQuery } from '../../domain/exports/export-schemas.ts';
import { idParams } from '../../domain/shared/schemas.ts';
import { negotiateFormat, notAcceptable, sendFile } from '../content-negotiation.ts';
import { contextOf } from '../plugins/auth.ts';
import { errorResponses } from '../responses.ts';

const tags = ['exports'];
const tracers = ['auditor', 'admin', 'quality', 'coordinator'] as const;

async function sendExport(request: FastifyRequest, reply: FastifyReply, chosen: ExportFormat | undefined, make: (format: ExportFormat) => Export | Promise<Export>) {
  const format = negotiateFormat(request, EXPORT_FORMATS, chosen);
  if (!format) return notAcceptable(request, reply, EXPORT_FORMATS);
  return sendFile(reply, encodeExport(await make(format), format), 'attachment');
}

const description = 'Streamed in batches: memory stays flat whatever the number of rows. CSV unless ?format=ndjson or Accept: application/x-ndjson.';

export const exportRoutes: FastifyPluginAsyncZod = async (app) => {
  const { exports } = app.services;

  app.get('/exports/inventory', {
    config: { allow: ['admin', 'coordinator', 'quality', 'auditor', 'clinician'] },
    schema: {
      operationId: 'exportInventory',
      tags,
      summary: 'Export the inventory (every unit GET /inventory lists, same filters) as CSV or NDJSON',
      description: `${description} Clinicians export the inventory of their own facility.`,
      querystring: inventoryExportQuery,
      response: { 200: { content: exportContent }, ...errorResponses(400, 401, 403, 406) },
    },
    handler: async (request, reply) => {
      const { format, ...filters } = request.query;
      return sendExport(request, reply, format, () => exports.inventoryExport(contextOf(request), filters));
    },
  });

  app.get('/exports/recalls/:id', {
    config: { allow: ['coordinator', 'quality', 'admin', 'auditor'] },
    schema: {
      operationId: 'exportRecallReach',
      tags,
      summary: 'Export a recall’s reach as it stood when made: one row per unit, its consignee, and the patient where administered',
      description,
      params: idParams,
      querystring: exportQuery,
      response: { 200: { content: exportContent }, ...errorResponses(400, 401, 403, 404, 406) },
    },
    handler: async (request, reply) => sendExport(request, reply, request.query.format, () => exports.recallExport(request.params.id)),
  });

  app.get('/exports/lots/:id/trace', {
    config: { allow: tracers },
    schema: {
      operationId: 'exportLotTrace',
      tags,
      summary: 'Export a lot’s forward trace: one row per unit with its status, place, administration and patient, dispositions',
      description: `${description} Recorded as a trace read (lot.trace_read).`,
      params: idParams,
      querystring: exportQuery,
      response: { 200: { content: exportContent }, ...errorResponses(400, 401, 403, 404, 406) },
    },
    handler: async (request, reply) => sendExport(request, reply, request.query.format, (format) => exports.traceExport(contextOf(request), 'lot', request.params.id, format)),
  });

  app.get('/exports/donors/:id/trace', {
    config: { allow: tracers },
    schema: {
      operationId: 'exportDonorTrace',
      tags,
      summary: 'Export a donor’s forward trace: one row per unit of every lot, with status, place, administration and patient, dispositions',
      description: `${description} Recorded as a trace read (donor.trace_read).`,
      params: idParams,
      querystring: exportQuery,
      response: { 200: { content: exportContent }, ...errorResponses(400, 401, 403, 404, 406) },
    },
    handler: async (request, reply) => sendExport(request, reply, request.query.format, (format) => exports.traceExport(contextOf(request), 'donor', request.params.id, format)),
  });

  app.get('/exports/audit-events', {
    config: { allow: ['admin', 'auditor', 'quality'] },
    schema: {
      operationId: 'exportAuditEvents',
      tags,
      summary: 'Export the audit trail (what GET /audit-events serves, every page, same filters) for archiving',
      description: `${description} NDJSON is the archive format: each line is an event exactly as GET /audit-events shows it, hashes included, so an archive can be verified later.`,
      querystring: auditExportQuery,
      response: { 200: { content: exportContent }, ...errorResponses(400, 401, 403, 406) },
    },
    handler: async (request, reply) => {
      const { format, ...query } = request.query;
      return sendExport(request, reply, format, () => exports.auditExport(query));
    },
  });
};
