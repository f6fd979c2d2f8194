import { z } from 'zod';
import { sequenceNumber, text, timestamp } from '../shared/schemas.ts';

const seqCursor = sequenceNumber.transform((text) => BigInt(text));

// cursor is the name every list uses; after, its older name, stays an alias.
export const auditQuery = z
  .object({
    entityType: text(50).optional(),
    entityId: text(100).optional(),
    action: text(100).optional(),
    cursor: seqCursor.optional().meta({ description: 'Return events after this sequence number: the nextCursor of the previous page' }),
    after: seqCursor.optional().meta({ description: 'The same as cursor (its older name)' }),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .transform(({ cursor, ...query }) => ({ ...query, after: query.after ?? cursor }));

const seq = z.codec(z.string().regex(/^\d+$/), z.bigint(), {
  decode: (s) => BigInt(s),
  encode: (n) => n.toString(),
});

export const auditEvent = z
  .object({
    seq,
    occurredAt: timestamp,
    actorKeyId: z.uuid().nullable(),
    actorName: z.string(),
    actorRole: z.string(),
    action: z.string(),
    entityType: z.string(),
    entityId: z.string(),
    before: z.unknown().nullable(),
    after: z.unknown().nullable(),
    reason: z.string().nullable(),
    requestId: z.string().nullable(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'AuditEvent' });

export const auditEventList = z.object({ items: z.array(auditEvent), nextCursor: z.string().nullable() });

export const chainVerification = z
  .object({
    intact: z.boolean(),
    eventsChecked: z.number().int(),
    lastSeq: z.string().nullable(),
    lastHash: z.string(),
    firstBroken: z.object({ seq: z.string(), problem: z.string() }).nullable(),
    checkpoint: z
      .object({ seq: z.string(), hash: z.string(), matches: z.boolean(), problem: z.string().nullable() })
      .nullable()
      .meta({ description: 'The comparison with the checkpoint given, if any' }),
  })
  .meta({ id: 'ChainVerification' });

export const verificationQuery = z
  .object({
    checkpointSeq: sequenceNumber.optional().meta({ description: 'lastSeq of an earlier verification, kept by the auditor' }),
    checkpointHash: z.string().regex(/^[0-9a-f]{64}$/).optional().meta({ description: 'lastHash of that verification' }),
  })
  .refine((q) => (q.checkpointSeq === undefined) === (q.checkpointHash === undefined), {
    message: 'checkpointSeq and checkpointHash go together',
    path: ['checkpointHash'],
  })
  .transform(({ checkpointSeq, checkpointHash }) =>
    checkpointSeq && checkpointHash ? { checkpoint: { seq: BigInt(checkpointSeq), hash: checkpointHash } } : { checkpoint: undefined },
  );
