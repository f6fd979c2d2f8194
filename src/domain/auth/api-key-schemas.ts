import { z } from 'zod';
import { Role } from '../../generated/prisma/enums.ts';
import { id, multilineText, pageQuery, queryFlag, text, timestamp } from '../shared/schemas.ts';
import { requiredWhen } from '../shared/stated-rules.ts';

export const role = z.enum(Role).meta({ id: 'Role' });

export const newApiKey = requiredWhen(
  z.object({
    holderName: text(200).meta({ description: 'The person (or system) the key belongs to; shown as the signer of what it records' }),
    role,
    facilityId: id.optional().meta({ description: 'Required for clinicians: the facility they act for' }),
    expiresAt: timestamp.optional().meta({ description: 'When the key stops working: at most API_KEY_MAX_TTL_DAYS ahead (422 otherwise); API_KEY_DEFAULT_TTL_DAYS ahead when omitted' }),
  }),
  { role: 'clinician' },
  'facilityId',
  'is required for a clinician: the facility she acts for',
).meta({ id: 'NewApiKey' });

export const keyStatus = z.enum(['active', 'rotating', 'rotated', 'expired', 'revoked']).meta({
  id: 'ApiKeyStatus',
  description: 'active; rotating: a successor was issued and this key works until graceEndsAt; rotated: the grace period is over; expired; revoked',
});

export const apiKey = z
  .object({
    id,
    holderName: z.string(),
    role,
    facilityId: z.uuid().nullable(),
    prefix: z.string().meta({ description: 'The first characters of the key, to recognise it' }),
    status: keyStatus,
    createdAt: timestamp,
    expiresAt: timestamp,
    lastUsedAt: timestamp.nullable().meta({ description: 'Last successful authentication, to the minute' }),
    rotatedFromId: id.nullable().meta({ description: 'The key this one replaced by rotation' }),
    rotatedAt: timestamp.nullable(),
    graceEndsAt: timestamp.nullable().meta({ description: 'For a rotated key: when it stops working' }),
    revokedAt: timestamp.nullable(),
  })
  .meta({ id: 'ApiKey' });

export const createdApiKey = apiKey
  .extend({ key: z.string().meta({ description: 'The secret: shown once, stored only as a hash' }) })
  .meta({ id: 'CreatedApiKey' });

export const revocation = z.object({ reason: multilineText(500) }).meta({ id: 'Revocation' });

export const rotation = z
  .object({
    reason: multilineText(500),
    graceSeconds: z.number().int().min(0).optional().meta({
      description: 'How long the old key keeps working: API_KEY_ROTATION_GRACE_SECONDS when omitted, never more (422); 0 stops it at once (a lost or exposed key)',
    }),
  })
  .meta({ id: 'Rotation' });

export const apiKeyListQuery = pageQuery.extend({
  role: role.optional(),
  facilityId: id.optional().meta({ description: 'Keys of clinicians acting for this facility' }),
  revoked: queryFlag.optional().meta({ description: 'true: revoked keys only; false: keys in use only' }),
});

export type ApiKeyListQuery = z.infer<typeof apiKeyListQuery>;
