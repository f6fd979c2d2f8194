// Logs are JSON; secrets and patient identifiers never reach them.
import type { FastifyServerOptions } from 'fastify';
import type { Config } from '../config.ts';

const REDACTED = '[redacted]';

/**
 * Query keys whose values may be logged: filters and paging that never identify a patient.
 * Anything else (a medical record number, under any spelling) is left out of the logs.
 */
export const LOGGED_QUERY_KEYS: ReadonlySet<string> = new Set([
  'limit', 'cursor', 'kind', 'status', 'open', 'eligibility', 'tissueType', 'productCode', 'expiringBefore',
  'donorId', 'lotId', 'facilityId', 'deliveryFacilityId', 'deliveredFrom', 'deliveredTo',
  'entityType', 'entityId', 'action', 'after', 'checkpointSeq', 'checkpointHash',
]);

const PLAIN_VALUE = /^[A-Za-z0-9._:+-]{0,64}$/;

/** What a log line keeps of a URL: the path, and the allowlisted query keys with plain values. */
export function loggedUrl(url: string): { path: string; query?: Record<string, string> } {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (q < 0) return { path };
  const query: Record<string, string> = {};
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(url.slice(q + 1));
  } catch {
    return { path };
  }
  for (const [key, value] of params) {
    if (LOGGED_QUERY_KEYS.has(key) && !(key in query)) query[key] = PLAIN_VALUE.test(value) ? value : '[omitted]';
  }
  return Object.keys(query).length ? { path, query } : { path };
}

const patientFields = ['medicalRecordNumber', 'mrn', 'patientMrn', 'patientIdentifier'];
const signingSecretFields = ['password', 'newPassword', 'currentPassword'];

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
  // Signing passwords (signature blocks and password changes), wherever a body or object is logged.
  ...signingSecretFields,
  ...signingSecretFields.map((f) => `*.${f}`),
  ...signingSecretFields.map((f) => `*.*.${f}`),
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
      req: (req) => ({ method: req.method, ...loggedUrl(req.url), remoteAddress: req.ip, requestId: req.id }),
      // Only name, message, code, stack and cause: never an error's meta, args or driver detail.
      err: (error) => serializeError(error) as { type: string; message: string; stack: string },
    },
  };
}
