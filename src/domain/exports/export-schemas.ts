import { z } from 'zod';
import { auditQuery } from '../audit/audit-schemas.ts';
import { inventoryQuery } from '../units/unit-schemas.ts';
import { EXPORT_FORMATS, type ExportFormat } from './export-encoding.ts';

const format = z
  .enum(Object.keys(EXPORT_FORMATS) as [ExportFormat, ...ExportFormat[]])
  .optional()
  .meta({ description: 'csv (RFC 4180, a header line) or ndjson (one JSON object a line, the archive format); overrides the Accept header; csv by default' });

export const exportQuery = z.object({ format });
export const inventoryExportQuery = inventoryQuery.omit({ cursor: true, limit: true }).extend({ format });
export const auditExportQuery = auditQuery.in.omit({ limit: true }).extend({ format }).transform(({ cursor, ...query }) => ({ ...query, after: query.after ?? cursor }));

/** An export file, streamed: declared by media type. */
export const exportContent = {
  'text/csv': { schema: z.string().meta({ description: 'CSV, UTF-8, CRLF line ends, a header line naming the columns' }) },
  'application/x-ndjson': { schema: z.string().meta({ description: 'One JSON object a line, each as the JSON API shows it' }) },
};
