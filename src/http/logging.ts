// Logs are JSON; secrets and patient identifiers never reach them.
import type { FastifyServerOptions } from 'fastify';
import type { Config } from '../config.ts';

const SENSITIVE_QUERY = /^(medicalRecordNumber|mrn|patient.*)$/i;
const REDACTED = '[redacted]';

/** The URL with the values of patient-identifying query parameters replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const key of [...params.keys()]) if (SENSITIVE_QUERY.test(key)) params.set(key, REDACTED);
  return `${url.slice(0, q)}?${params.toString()}`;
}

const patientFields = ['medicalRecordNumber', 'mrn', 'patientMrn', 'patientIdentifier'];

export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'key',
  '*.key',
  // Shared secrets of recall notice endpoints.
  'secret',
  '*.secret',
  ...patientFields,
  ...patientFields.map((f) => `*.${f}`),
  ...patientFields.map((f) => `*.*.${f}`),
];

/**
 * Error messages can carry values: PostgreSQL's "Key (…)=(…)" and "Failing row contains (…)",
 * Prisma's echo of a query's arguments. An error is logged with those values blanked.
 */
export function scrubErrorText(text: string): string {
  return text
    .replace(/Key \((.*?)\)=\((.*?)\)/g, 'Key ($1)=([redacted])')
    .replace(/Failing row contains \(.*?\)(?=\.|\s|$)/g, 'Failing row contains ([redacted])')
    .replace(new RegExp(`(${patientFields.join('|')})(["']?\\s*[:=]\\s*)("(?:[^"\\\\]|\\\\.)*"|'[^']*'|[^\\s,}]+)`, 'gi'), `$1$2"${REDACTED}"`);
}

function serializeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error) || depth > 3) return typeof error === 'string' ? scrubErrorText(error) : undefined;
  const { code } = error as { code?: unknown };
  return {
    type: error.name,
    message: scrubErrorText(error.message),
    ...(typeof code === 'string' ? { code } : {}),
    stack: error.stack && scrubErrorText(error.stack),
    ...(error.cause ? { cause: serializeError(error.cause, depth + 1) } : {}),
  };
}

export function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  return {
    level: config.LOG_LEVEL,
    redact: { paths: redactPaths, censor: REDACTED },
    serializers: {
      req: (req) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: req.ip, requestId: req.id }),
      // Only name, message, code, stack and cause: never an error's meta, args or driver detail.
      err: (error) => serializeError(error) as { type: string; message: string; stack: string },
    },
  };
}
