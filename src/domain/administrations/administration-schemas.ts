import { z } from 'zod';
import { id, multilineText, pageQuery, queryFlag, text, timestamp } from '../shared/schemas.ts';
import { unitCodeInput } from '../units/unit-schemas.ts';
import { requiredWhen, storedEnum } from '../shared/stated-rules.ts';
import { signatureBlock, signatures } from '../signatures/signature-schemas.ts';

export const indications = [
  'plantar_fasciitis',
  'knee_osteoarthritis',
  'tendinopathy',
  'chronic_wound',
  'diabetic_foot_ulcer',
  'venous_leg_ulcer',
  'burn',
  'ocular_surface',
  'surgical_wound',
  'other',
] as const;

export const indication = z.enum(indications).meta({ id: 'Indication' });

/** indication "other" needs indicationDetail: validated, and stated in the document as if/then. */
const withDetail = <S extends z.ZodObject>(schema: S) => requiredWhen(schema, { indication: 'other' }, 'indicationDetail', 'say what the indication is when it is "other"');

export const newAdministration = withDetail(
  z.object({
    unitCode: unitCodeInput,
    patientId: id,
    administeredAt: timestamp,
    anatomicalSite: text(200),
    indication,
    indicationDetail: text(200).optional().meta({ description: 'Required when indication is "other"' }),
    notes: multilineText(2000).optional(),
  }),
).meta({ id: 'NewAdministration' });

export const correctionReasonCode = z.enum(['wrong_patient', 'wrong_time', 'transcription_error', 'other']).meta({ id: 'AdministrationCorrectionReasonCode' });

export const administrationCorrection = withDetail(
  z.object({
    patientId: id.optional(),
    administeredAt: timestamp.optional(),
    anatomicalSite: text(200).optional(),
    indication: indication.optional(),
    indicationDetail: text(200).optional().meta({ description: 'Required when indication is "other"' }),
    notes: multilineText(2000).optional(),
    reasonCode: correctionReasonCode,
    reasonText: multilineText(1000),
    signature: signatureBlock('administration_correction'),
  }),
).meta({ id: 'AdministrationCorrection' });

export const administration = z
  .object({
    id,
    unitId: id,
    unitCode: z.string(),
    patientId: id,
    facilityId: id,
    administeredAt: timestamp,
    clinician: z.string(),
    anatomicalSite: z.string(),
    indication: z.string().meta({ description: 'An Indication, or "other: <detail>"' }),
    notes: z.string().nullable(),
    current: z.boolean().meta({ description: 'False once a correction superseded this version' }),
    correctsId: id.nullable(),
    correctedById: id.nullable(),
    correctionReasonCode: storedEnum(correctionReasonCode).nullable(),
    correctionReason: z.string().nullable(),
    supersededAt: timestamp.nullable(),
    createdAt: timestamp,
    signatures: signatures.meta({ description: 'A corrected version: the signature of its correction (administration_correction)' }),
  })
  .meta({ id: 'Administration' });

export const administrationListQuery = pageQuery.extend({
  facilityId: id.optional().meta({ description: 'Where they were administered (clinicians: always their own facility)' }),
  patientId: id.optional(),
  unitCode: unitCodeInput.optional().meta({ description: 'The unit, as scanned or typed: its administration and every correction of it' }),
  current: queryFlag.optional().meta({ description: 'true: only versions in force; false: only superseded ones; omitted: every version' }),
});

export type AdministrationListQuery = z.infer<typeof administrationListQuery>;
