import { z } from 'zod';
import { BREAK_KINDS } from './verification.ts';
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

const hash = z.string().regex(/^[0-9a-f]{64}$/);

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
    leafHash: hash.meta({ description: 'SHA-256(0x00 || canonical event bytes), hex: the event as a leaf of the log\'s Merkle tree (RFC 9162)' }),
    integratedAt: timestamp.meta({ description: 'When the sequencer made the event an entry of the log' }),
  })
  .meta({ id: 'AuditEvent' });

export const auditEventList = z.object({ items: z.array(auditEvent), nextCursor: z.string().nullable() });

export const treeHead = z
  .object({
    treeSize: z.string().regex(/^\d+$/).meta({ description: 'How many events the tree holds' }),
    rootHash: hash.meta({ description: 'The Merkle tree hash of those events, hex' }),
    timestamp,
    keyId: z.string().regex(/^[0-9a-f]{8}$/).meta({ description: 'The signing key, as the 4-byte key ID of a signed note' }),
    note: z.string().meta({
      description: 'The signed head as a C2SP signed note: the checkpoint (origin, tree size, base64 root hash, "timestamp <ms>"), an empty line, and "— <origin> <base64(key id || Ed25519 signature)>"',
    }),
  })
  .meta({ id: 'SignedTreeHead' });

export const treeHeadList = z.object({ items: z.array(treeHead), nextCursor: z.string().nullable() });

export const treeSizeParams = z.object({ treeSize: sequenceNumber });

export const seqParams = z.object({ seq: sequenceNumber });

const treeSize = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const inclusionQuery = z.object({
  treeSize: treeSize.optional().meta({ description: 'The tree to prove inclusion in (default: the latest signed head)' }),
});

export const inclusionProof = z
  .object({
    seq: z.string(),
    leafIndex: z.number().int().meta({ description: 'seq - 1: the leaf\'s index in the tree' }),
    treeSize: z.string(),
    leafHash: hash,
    auditPath: z.array(hash).meta({ description: 'RFC 9162 §2.1.3 inclusion proof, from the leaf\'s sibling up' }),
  })
  .meta({ id: 'InclusionProof' });

export const consistencyQuery = z.object({
  first: treeSize.meta({ description: 'The smaller tree size (e.g. the head the auditor kept)' }),
  second: treeSize.meta({ description: 'The larger tree size (e.g. the latest head)' }),
});

export const consistencyProof = z
  .object({
    first: z.string(),
    second: z.string(),
    proof: z.array(hash).meta({ description: 'RFC 9162 §2.1.4 consistency proof' }),
  })
  .meta({ id: 'ConsistencyProof' });

export const logPublicKey = z
  .object({
    algorithm: z.literal('Ed25519'),
    origin: z.string(),
    keyId: z.string(),
    publicKey: z.string().meta({ description: 'The 32-byte Ed25519 public key, base64' }),
    publicKeyPem: z.string(),
    verifierKey: z.string().meta({ description: 'The signed-note verifier key: <origin>+<key id>+<base64(0x01 || public key)>' }),
  })
  .meta({ id: 'AuditLogPublicKey' });

const breakItem = z.object({
  kind: z.enum(BREAK_KINDS),
  seq: z.string().optional(),
  treeSize: z.string().optional(),
  problem: z.string(),
});

const breakReport = z.object({
  count: z.number().int(),
  first: breakItem.nullable(),
  last: breakItem.nullable(),
  byKind: z.record(z.string(), z.number().int()),
});

export const logVerification = z
  .object({
    intact: z.boolean(),
    eventsChecked: z.number().int(),
    treeSize: z.string(),
    rootHash: hash.meta({ description: 'The root recomputed from every event' }),
    headsChecked: z.number().int(),
    latestHead: treeHead.nullable(),
    breaks: breakReport.meta({ description: 'Every break found: leaf_hash_mismatch, sequence_gap, node_mismatch, node_missing, head_root_mismatch, head_signature_invalid, head_beyond_log' }),
    legacyChain: z
      .object({ intact: z.boolean(), eventsChecked: z.number().int(), lastSeq: z.string().nullable(), lastHash: z.string(), breaks: breakReport })
      .meta({ description: 'The hash chain kept before the log (its events are the log\'s first leaves)' }),
  })
  .meta({ id: 'AuditLogVerification' });

export const headListQuery = z.object({
  cursor: sequenceNumber.transform((t) => BigInt(t)).optional().meta({ description: 'nextCursor of the previous page (a tree size)' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
