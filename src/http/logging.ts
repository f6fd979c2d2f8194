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
  ...patientFields,
  ...patientFields.map((f) => `*.${f}`),
  ...patientFields.map((f) => `*.*.${f}`),
];

export function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  return {
    level: config.LOG_LEVEL,
    redact: { paths: redactPaths, censor: REDACTED },
    serializers: {
      req: (req) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: req.ip, requestId: req.id }),
    },
  };
}
