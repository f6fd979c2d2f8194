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
  }),
  { role: 'clinician' },
  'facilityId',
  'is required for a clinician: the facility she acts for',
).meta({ id: 'NewApiKey' });

export const apiKey = z
  .object({
    id,
    holderName: z.string(),
    role,
    facilityId: z.uuid().nullable(),
    prefix: z.string().meta({ description: 'The first characters of the key, to recognise it' }),
    createdAt: timestamp,
    revokedAt: timestamp.nullable(),
  })
  .meta({ id: 'ApiKey' });

export const createdApiKey = apiKey
  .extend({ key: z.string().meta({ description: 'The secret: shown once, stored only as a hash' }) })
  .meta({ id: 'CreatedApiKey' });

export const revocation = z.object({ reason: multilineText(500) }).meta({ id: 'Revocation' });

export const apiKeyListQuery = pageQuery.extend({
  role: role.optional(),
  facilityId: id.optional().meta({ description: 'Keys of clinicians acting for this facility' }),
  revoked: queryFlag.optional().meta({ description: 'true: revoked keys only; false: keys in use only' }),
});

export type ApiKeyListQuery = z.infer<typeof apiKeyListQuery>;
