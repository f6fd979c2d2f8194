// The shapes of signers, signature blocks, signatures and their verification.
import { z } from 'zod';
import { id, multilineText, pageQuery, text, timestamp } from '../shared/schemas.ts';
import { textProblem } from '../shared/input-rules.ts';
import { role } from '../auth/api-key-schemas.ts';
import { DECISION_KINDS, PASSWORD_MAX_LENGTH, SIGNING_MEANINGS, type DecisionKind } from './signing-rules.ts';

/** A password as typed: any well-formed single-line text; never stored, logged or echoed. */
const password = (description: string) =>
  z
    .string()
    .min(1)
    .max(PASSWORD_MAX_LENGTH)
    .superRefine((value, ctx) => {
      const problem = textProblem(value, { multiline: false });
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .meta({ description, format: 'password' });

// One schema per decision (an OpenAPI component may be defined once).
const blocks = new Map<DecisionKind, ReturnType<typeof makeBlock>>();

const pascal = (kind: string) => kind.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());

/**
 * The signature block a signed decision carries: the signer's password (the second component;
 * the API key is the first) and the meaning, from the decision's closed list.
 */
const makeBlock = (kind: DecisionKind) =>
  z
    .object({
      password: password("The signer's own signing password: the second component of the signature (the API key is the first)"),
      meaning: z.enum(SIGNING_MEANINGS[kind] as unknown as [string, ...string[]]).meta({ description: `What the signature means (21 CFR 11.50(a)(3)): ${SIGNING_MEANINGS[kind].join(', ')}` }),
    })
    .meta({ id: `${pascal(kind)}Signature`, description: `Signature block of a ${kind.replace(/_/g, ' ')}: every signing carries both components (21 CFR 11.200(a))` });

export function signatureBlock(kind: DecisionKind) {
  const block = blocks.get(kind) ?? makeBlock(kind);
  blocks.set(kind, block);
  return block;
}

export const decisionKind = z.enum(DECISION_KINDS as [DecisionKind, ...DecisionKind[]]).meta({ id: 'SignedDecisionKind' });

export const signatureManifestation = z
  .object({
    id,
    signerId: id,
    printedName: z.string().meta({ description: "The signer's printed name, as it stood at signing" }),
    signedAt: timestamp,
    meaning: z.string().meta({ description: 'review, approval, responsibility or authorship' }),
    decisionKind: z.string().meta({ description: `The decision signed: ${DECISION_KINDS.join(', ')}` }),
  })
  .meta({ id: 'SignatureManifestation', description: 'A signature as shown with its record (21 CFR 11.50): printed name, date and time, meaning' });

export const signatures = z.array(signatureManifestation).meta({ description: 'The electronic signatures of this record, oldest first (empty for a record signed before signatures existed)' });

export const signature = signatureManifestation
  .extend({ recordType: z.string(), recordId: id, contentHash: z.string().meta({ description: "SHA-256 of the signature's fields and the record's canonical content" }) })
  .meta({ id: 'Signature' });

export const signatureVerification = z
  .object({
    signature: signatureManifestation.extend({ recordType: z.string(), recordId: id }),
    valid: z.boolean().meta({ description: 'true when the record still says what was signed' }),
    recordFound: z.boolean(),
    storedHash: z.string(),
    recomputedHash: z.string().nullable(),
    checkedAt: timestamp,
    detail: z.string(),
  })
  .meta({ id: 'SignatureVerification' });

export const signerStatus = z.enum(['awaiting_password', 'active', 'password_expired', 'locked']).meta({ id: 'SignerStatus' });

export const signer = z
  .object({
    id: id.meta({ description: 'The signing identity: unique, never reused or reassigned' }),
    apiKeyId: id.meta({ description: 'The key the holder was enrolled with; its successors by rotation sign as the same signer' }),
    printedName: z.string(),
    holderName: z.string(),
    role,
    status: signerStatus,
    passwordSetAt: timestamp.nullable(),
    passwordExpiresAt: timestamp.nullable().meta({ description: 'After it the signer must set a new password (SIGNING_PASSWORD_MAX_AGE_DAYS)' }),
    failedAttempts: z.number().int().meta({ description: 'Wrong signing passwords in a row; at SIGNER_LOCKOUT_ATTEMPTS the signer is locked' }),
    lockedAt: timestamp.nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'Signer' });

export const newSigner = z
  .object({
    apiKeyId: id.meta({ description: "The holder's active API key" }),
    printedName: text(200).optional().meta({ description: "The name shown on what they sign; defaults to the key's holder name" }),
  })
  .meta({ id: 'NewSigner' });

export const passwordChange = z
  .object({
    newPassword: password('At least SIGNING_PASSWORD_MIN_LENGTH characters; not one of the last SIGNING_PASSWORD_HISTORY'),
    currentPassword: password('Needed to change a password in force (not the first one, nor after a reset)').optional(),
  })
  .meta({ id: 'SigningPasswordChange' });

export const signerReason = z.object({ reason: multilineText(2000) }).meta({ id: 'SignerAdminReason' });

export const signerListQuery = pageQuery.extend({ apiKeyId: id.optional().meta({ description: "Any of the holder's keys" }) });
