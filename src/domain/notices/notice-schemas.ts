import { z } from 'zod';
import { id, pageOf, pageQuery, timestamp } from '../shared/schemas.ts';

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

export const noticeKind = z.enum(['recall', 'consent_withdrawal', 'adverse_reaction']).meta({ id: 'RecallNoticeKind' });
export const noticeStatus = z.enum(['pending', 'delivered', 'acknowledged', 'failed']).meta({ id: 'RecallNoticeStatus' });

export const noticeView = z
  .object({
    id,
    kind: noticeKind,
    sourceId: id,
    recallId: id.nullable(),
    facilityId: id,
    payload: z.record(z.string(), z.unknown()).meta({ description: 'The body POSTed to the facility' }),
    createdAt: timestamp,
    status: noticeStatus,
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

/** A notice in a list: what GET /recall-notices/{id} shows but the body sent and the attempts. */
export const noticeSummary = noticeView.omit({ payload: true, deliveryAttempts: true }).meta({ id: 'RecallNoticeSummary' });

export const noticeListQuery = pageQuery.extend({
  facilityId: id.optional().meta({ description: 'Notices sent to this consignee' }),
  recallId: id.optional(),
  kind: noticeKind.optional(),
  status: noticeStatus.optional(),
});

export const noticePage = pageOf(noticeSummary, 'RecallNoticePage');

export type NoticeListQuery = z.infer<typeof noticeListQuery>;
