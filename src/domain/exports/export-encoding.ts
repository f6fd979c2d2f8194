// Rows to a file, as a stream: CSV (RFC 4180, by csv-stringify) or NDJSON (one JSON object a
// line). Rows are pulled from their source only as fast as the client reads, so memory holds a
// batch whatever the size of the export.
import { Readable, Transform, pipeline } from 'node:stream';
import { stringify } from 'csv-stringify';

export const EXPORT_FORMATS = {
  csv: { mediaType: 'text/csv', extension: 'csv' },
  ndjson: { mediaType: 'application/x-ndjson', extension: 'ndjson' },
} as const;

export type ExportFormat = keyof typeof EXPORT_FORMATS;

/** A row as the API shows it in JSON: strings, numbers, booleans, null, and nested JSON. */
export type ExportRow = Record<string, unknown>;

export interface Export {
  /** The file name without extension, e.g. inventory-2026-11-25. */
  name: string;
  /** CSV columns, in order: the keys of every row. */
  columns: string[];
  rows: AsyncIterable<ExportRow>;
}

// A spreadsheet runs a cell that starts with one of these as a formula (CWE-1236): in CSV such a
// text cell is prefixed with an apostrophe. NDJSON, the archive format, keeps every value as is.
const FORMULA_START = /^[=+\-@\t\r]/;

export interface EncodedExport {
  mediaType: string;
  fileName: string;
  body: Readable;
}

export function encodeExport(file: Export, format: ExportFormat): EncodedExport {
  const source = Readable.from(file.rows, { objectMode: true, highWaterMark: 16 });
  const encoder =
    format === 'ndjson'
      ? new Transform({
          writableObjectMode: true,
          transform(row: ExportRow, _encoding, done) {
            done(null, `${JSON.stringify(row)}\n`);
          },
        })
      : stringify({
          header: true,
          columns: file.columns,
          eof: true,
          record_delimiter: 'windows',
          cast: {
            boolean: (value) => String(value),
            object: (value) => JSON.stringify(value),
            string: (value) => (FORMULA_START.test(value) ? `'${value}` : value),
          },
        });
  // An error while reading (the database went away) ends the response early rather than silently.
  const body = pipeline(source, encoder, () => {}) as unknown as Readable;
  const { mediaType, extension } = EXPORT_FORMATS[format];
  return { mediaType: format === 'csv' ? `${mediaType}; charset=utf-8; header=present` : mediaType, fileName: `${file.name}.${extension}`, body };
}
