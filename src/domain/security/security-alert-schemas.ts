import { z } from 'zod';
import { id, multilineText, timestamp } from '../shared/schemas.ts';
import { storedEnum } from '../shared/stated-rules.ts';

export const securityAlertKind = z
  .enum(['authentication_failures', 'signer_locked'])
  .meta({ id: 'SecurityAlertKind', description: 'authentication_failures: AUTH_FAILURE_LIMIT failed authentications from one client address or for one key prefix within the window; signer_locked: a signer locked after wrong signing passwords' });

export const securityAlert = z
  .object({
    id,
    kind: storedEnum(securityAlertKind),
    subject: z.string().meta({ description: 'What the alert is about: a client address, a key prefix, a signer' }),
    detail: z.string(),
    raisedAt: timestamp,
    acknowledgedAt: timestamp.nullable(),
    acknowledgedBy: id.nullable().meta({ description: 'The API key that acknowledged it' }),
    acknowledgementNote: z.string().nullable(),
  })
  .meta({ id: 'SecurityAlert' });

export const securityAlertQuery = z.object({
  open: z.enum(['true', 'false']).optional().meta({ description: 'true: only alerts not yet acknowledged; false: only acknowledged ones' }),
});

export const acknowledgement = z.object({ note: multilineText(2000).meta({ description: 'What was found and done' }) }).meta({ id: 'SecurityAlertAcknowledgement' });
