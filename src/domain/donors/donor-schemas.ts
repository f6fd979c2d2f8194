// The shapes of donors and their records: consent, screening, medical history review,
// eligibility, corrections and the auditor's history. One schema per shape (validation,
// TypeScript type and OpenAPI document).
import { z } from 'zod';
import { auditEvent } from '../audit/audit-schemas.ts';
import { calendarDate, id, identifier, multilineText, pageQuery, text, timestamp } from '../shared/schemas.ts';
import { storedEnum, uniqueArray } from '../shared/stated-rules.ts';
import { signatureBlock, signatures } from '../signatures/signature-schemas.ts';

/** What a user could send; only scheduled_caesarean is accepted (donor-rules.ts). */
export const deliveryMode = z
  .enum(['scheduled_caesarean', 'emergency_caesarean', 'vaginal', 'assisted_vaginal'])
  .meta({ id: 'DeliveryMode', description: 'Only a scheduled Caesarean section at full term is accepted' });

export const donorCode = z
  .string()
  .regex(/^[A-Z0-9-]{3,32}$/, 'must be the bank donor code: 3 to 32 characters A-Z, 0-9 or -')
  .meta({ description: "The bank's own donor code; never a name or other direct identifier", example: 'PTB-2026-0042' });

export const gestationalAgeWeeks = z.number().int().min(20).max(45).meta({ description: 'Completed weeks at delivery' });

export const newDonor = z
  .object({
    donorCode,
    deliveryFacilityId: id.meta({ description: 'The facility where she delivered (and the placenta was recovered)' }),
    deliveryDate: calendarDate,
    gestationalAgeWeeks,
    deliveryMode,
  })
  .meta({ id: 'NewDonor' });

export const eligibilityStatus = z.enum(['eligible', 'ineligible', 'pending']).meta({ id: 'EligibilityStatus' });

export const donor = z
  .object({
    id,
    donorCode: z.string(),
    deliveryFacilityId: z.uuid(),
    deliveryDate: calendarDate,
    gestationalAgeWeeks: z.number().int(),
    deliveryMode: storedEnum(deliveryMode),
    eligibility: eligibilityStatus.meta({ description: 'The current determination; pending when there is none in force' }),
    currentDeterminationId: z.uuid().nullable(),
    consentInForce: z.boolean(),
    createdAt: timestamp,
  })
  .meta({ id: 'Donor' });

export const donorListQuery = pageQuery.extend({
  donorCode: donorCode.optional(),
  deliveryFacilityId: id.optional(),
  deliveredFrom: calendarDate.optional(),
  deliveredTo: calendarDate.optional(),
  eligibility: eligibilityStatus.optional(),
});

export const consentScope = z.enum(['clinical_use', 'research', 'education']).meta({ id: 'ConsentScope' });

export const newConsent = z
  .object({
    formVersion: text(50),
    obtainedBy: text(200),
    obtainedAt: timestamp,
    scope: uniqueArray(z.array(consentScope).min(1), 'must not repeat a scope'),
    documentRef: text(200).meta({ description: 'Where the signed form is kept, e.g. a document management id' }),
  })
  .meta({ id: 'NewConsent' });

export const consentWithdrawal = z
  .object({ id, withdrawnAt: timestamp, reason: z.string(), createdAt: timestamp })
  .meta({ id: 'ConsentWithdrawal' });

export const consent = z
  .object({
    id,
    donorId: z.uuid(),
    formVersion: z.string(),
    obtainedBy: z.string(),
    obtainedAt: timestamp,
    scope: z.array(storedEnum(consentScope)),
    documentRef: z.string(),
    createdAt: timestamp,
    withdrawal: consentWithdrawal.nullable(),
  })
  .meta({ id: 'Consent' });

export const newWithdrawal = z.object({ withdrawnAt: timestamp, reason: multilineText(1000) }).meta({ id: 'NewConsentWithdrawal' });

export const withdrawalOutcome = z
  .object({
    consent,
    consentStillInForce: z.boolean().meta({ description: 'Another consent of the donor remains in force, so nothing was held' }),
    supersededDeterminationId: z.uuid().nullable(),
    lotsPutOnHold: z.array(z.uuid()),
    unitsPutOnHold: z.array(z.uuid()),
    lotsFlaggedForReview: z.array(z.uuid()),
  })
  .meta({ id: 'ConsentWithdrawalOutcome' });

export const screeningResult = z.enum(['negative', 'reactive', 'indeterminate']).meta({ id: 'ScreeningResult' });

export const newScreeningTest = z
  .object({
    testCode: identifier(50).meta({ description: 'A code of the configured panel (GET /screening-panel)' }),
    method: text(200),
    laboratoryName: text(200),
    laboratoryId: z
      .string()
      .regex(/^\d{2}D\d{7}$/, 'must be a 10-character CLIA number such as 05D0123456')
      .meta({ description: 'CLIA certificate number of the laboratory' }),
    specimenCollectedAt: timestamp,
    result: screeningResult,
    interpretation: multilineText(1000),
  })
  .meta({ id: 'NewScreeningTest' });

export const screeningTest = z
  .object({
    id,
    donorId: z.uuid(),
    testCode: z.string(),
    method: z.string(),
    laboratoryName: z.string(),
    laboratoryId: z.string(),
    specimenCollectedAt: timestamp,
    result: storedEnum(screeningResult),
    interpretation: z.string(),
    createdAt: timestamp,
  })
  .meta({ id: 'ScreeningTest' });

export const screeningTestOutcome = screeningTest
  .extend({ supersededDeterminationId: z.uuid().nullable().meta({ description: 'The eligible determination this result superseded' }) })
  .meta({ id: 'ScreeningTestOutcome' });

export const reviewOutcome = z.enum(['acceptable', 'unacceptable']).meta({ id: 'MedicalHistoryReviewOutcome' });

export const newMedicalHistoryReview = z
  .object({
    reviewedBy: text(200),
    reviewedAt: timestamp,
    outcome: reviewOutcome,
    notes: multilineText(2000).optional(),
  })
  .meta({ id: 'NewMedicalHistoryReview' });

export const medicalHistoryReview = z
  .object({ id, donorId: z.uuid(), reviewedBy: z.string(), reviewedAt: timestamp, outcome: storedEnum(reviewOutcome), notes: z.string().nullable(), createdAt: timestamp })
  .meta({ id: 'MedicalHistoryReview' });

export const determinationOutcome = z.enum(['eligible', 'ineligible']).meta({ id: 'EligibilityOutcome' });

export const newDetermination = z
  .object({
    outcome: determinationOutcome,
    determinedAt: timestamp,
    basis: multilineText(2000).meta({ description: 'The basis or summary of the decision' }),
    signature: signatureBlock('eligibility_determination'),
  })
  .meta({ id: 'NewEligibilityDetermination' });

export const determination = z
  .object({
    id,
    donorId: z.uuid(),
    outcome: storedEnum(determinationOutcome),
    determinedBy: z.string().meta({ description: 'The name of the key holder who recorded it' }),
    determinedAt: timestamp,
    basis: z.string(),
    current: z.boolean(),
    supersededAt: timestamp.nullable(),
    supersededReason: z.string().nullable(),
    createdAt: timestamp,
    signatures,
  })
  .meta({ id: 'EligibilityDetermination' });

export const correctableField = z
  .enum(['donorCode', 'deliveryFacilityId', 'deliveryDate', 'gestationalAgeWeeks', 'deliveryMode'])
  .meta({ id: 'CorrectableDonorField' });

export const correctionReasonCode = z
  .enum(['transcription_error', 'wrong_record', 'late_information', 'device_error', 'other'])
  .meta({ id: 'CorrectionReasonCode' });

export const newCorrection = z
  .object({
    field: correctableField,
    value: z.union([z.string(), z.number()]).meta({ description: 'The corrected value, in the same form as when the donor was registered' }),
    reasonCode: correctionReasonCode,
    reasonText: multilineText(1000),
  })
  .meta({ id: 'NewDonorCorrection' });

export const correction = z
  .object({
    id,
    entityType: storedEnum(z.enum(['donor'])),
    entityId: z.uuid(),
    field: storedEnum(correctableField),
    oldValue: z.unknown().meta({ description: 'The value before, as JSON' }),
    newValue: z.unknown().meta({ description: 'The corrected value, as JSON' }),
    reasonCode: storedEnum(correctionReasonCode),
    reasonText: z.string(),
    correctedAt: timestamp,
    correctedBy: z.uuid().nullable(),
  })
  .meta({ id: 'Correction' });

export const correctionOutcome = z
  .object({
    donor,
    correction,
    supersededDeterminationId: z.uuid().nullable().meta({ description: 'The eligible determination the corrected facts no longer support' }),
  })
  .meta({ id: 'DonorCorrectionOutcome' });

export const donorHistory = z
  .object({
    donor,
    consents: z.array(consent),
    screeningTests: z.array(screeningTest),
    medicalHistoryReviews: z.array(medicalHistoryReview),
    determinations: z.array(determination),
    corrections: z.array(correction),
    auditEvents: z.array(auditEvent).meta({ description: 'Every audit event of these records, in sequence order' }),
  })
  .meta({ id: 'DonorHistory' });

export const screeningPanelView = z
  .object({
    tests: z.array(z.object({ code: z.string(), name: z.string() })),
    specimenWindowDays: z.number().int(),
  })
  .meta({ id: 'ScreeningPanel' });

export const consentParams = z.object({ id, consentId: id });
