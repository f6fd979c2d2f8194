import { z } from 'zod';
import { id, timestamp } from '../shared/schemas.ts';

export const newEndpoint = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .max(500)
      .meta({ description: 'Where notices are POSTed: https (plain http only to a loopback address)', example: 'https://ehr.example-clinic.org/hooks/tissue-recalls' }),
    secret: z
      .string()
      .min(32)
      .max(200)
      .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
      .meta({ description: 'Shared secret, at least 32 characters: notices are signed with HMAC-SHA256 under it. Never shown again, logged or audited' }),
  })
  .meta({ id: 'NewRecallNoticeEndpoint' });

export const endpointView = z
  .object({
    facilityId: id,
    url: z.string(),
    secretFingerprint: z.string().meta({ description: 'sha256: and the first 16 hex digits of the secret’s SHA-256, to tell secrets apart' }),
    registeredAt: timestamp,
    registeredBy: id.nullable(),
  })
  .meta({ id: 'RecallNoticeEndpoint' });

export const noticeView = z
  .object({
    id,
    kind: z.enum(['recall', 'consent_withdrawal', 'adverse_reaction']),
    sourceId: id,
    recallId: id.nullable(),
    facilityId: id,
    payload: z.record(z.string(), z.unknown()).meta({ description: 'The body POSTed to the facility' }),
    createdAt: timestamp,
    status: z.enum(['pending', 'delivered', 'acknowledged', 'failed']),
    attempts: z.number().int(),
    nextAttemptAt: timestamp,
    deliveredAt: timestamp.nullable(),
    deliveryAttempts: z.array(
      z.object({
        id,
        attempt: z.number().int(),
        attemptedAt: timestamp,
        url: z.string(),
        statusCode: z.number().int().nullable(),
        error: z.string().nullable(),
        durationMs: z.number().int(),
        delivered: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'RecallNotice' });
