// The shapes of the traceability answers. They carry codes and ids, never a donor's identity;
// forward traces and exposures carry the patient's medical record number, which a recall needs.
import { z } from 'zod';
import { calendarDate, id, timestamp } from '../shared/schemas.ts';
import { storedEnum } from '../shared/stated-rules.ts';
import { administration } from '../administrations/administration-schemas.ts';
import { deviationReport } from '../deviation-reports/deviation-report-schemas.ts';
import { signatures } from '../signatures/signature-schemas.ts';
import { minimalStepKind, preservationMethod, productStatus, tissueType } from '../lots/lot-schemas.ts';
import { consentScope, deliveryMode, determinationOutcome, reviewOutcome, screeningResult } from '../donors/donor-schemas.ts';
import { discardReasonCode } from '../dispositions/disposition-schemas.ts';

/** Adverse reaction severities. Here, not in adverse-reaction-schemas.ts, which builds on these traces. */
export const severity = z.enum(['mild', 'moderate', 'severe', 'life_threatening', 'fatal']).meta({ id: 'Severity' });

// Closed lists as the rest of the API shows them: enums in the document, checked when a trace is read.
const status = storedEnum(productStatus);
const dispositionKind = z.enum(['discarded', 'returned']);

const deviationReportRecord = deviationReport.omit({ din: true }).meta({ id: 'DeviationReportRecord' });

const place = z
  .object({
    facilityId: id.nullable(),
    facilityName: z.string().nullable(),
    inTransitShipmentId: id.nullable().meta({ description: 'Set while the unit travels; facilityId is then null' }),
    inTransitTo: id.nullable(),
  })
  .meta({ id: 'UnitPlace' });

const unitSummary = z.object({
  id,
  code: z.string(),
  productCode: z.string(),
  division: z.string(),
  description: z.string(),
  size: z.string().nullable(),
  volumeMl: z.number().nullable(),
  form: z.string(),
  expiresOn: calendarDate,
  status,
  place,
});

const lotSummary = z.object({
  id,
  din: z.string(),
  checkCharacter: z.string(),
  euDonationSequence: z.string().nullable(),
  tissueType: storedEnum(tissueType),
  status,
  bankFacilityId: id,
  recoveryFacilityId: id,
  recoveredAt: timestamp,
  recoveredBy: z.string(),
  processingCompletedAt: timestamp.nullable(),
  reviewFlaggedAt: timestamp.nullable(),
  reviewFlagReason: z.string().nullable(),
});

const donorSummary = z.object({ id, donorCode: z.string(), deliveryFacilityId: id, deliveryDate: calendarDate, gestationalAgeWeeks: z.number(), deliveryMode: storedEnum(deliveryMode) });

const consent = z.object({
  id,
  formVersion: z.string(),
  obtainedBy: z.string(),
  obtainedAt: timestamp,
  scope: z.array(storedEnum(consentScope)),
  documentRef: z.string(),
  withdrawal: z.object({ withdrawnAt: timestamp, reason: z.string() }).nullable(),
});

const screeningTest = z.object({
  id, testCode: z.string(), method: z.string(), laboratoryName: z.string(), laboratoryId: z.string(),
  specimenCollectedAt: timestamp, result: storedEnum(screeningResult), interpretation: z.string(),
});

const historyReview = z.object({ id, reviewedBy: z.string(), reviewedAt: timestamp, outcome: storedEnum(reviewOutcome), notes: z.string().nullable() });

const eligibility = z.object({
  id, outcome: storedEnum(determinationOutcome), determinedBy: z.string(), determinedAt: timestamp, basis: z.string(),
  supersededAt: timestamp.nullable(), supersededReason: z.string().nullable(), signatures,
});

const deviation = z.object({ id, description: z.string(), openedAt: timestamp, closedAt: timestamp.nullable(), resolution: z.string().nullable() });

const processingStep = z.object({
  id, kind: storedEnum(minimalStepKind), startedAt: timestamp, finishedAt: timestamp, operator: z.string(), facilityId: id,
  parameters: z.unknown(), deviations: z.array(deviation),
});

const preservation = z.object({
  id, method: storedEnum(preservationMethod), storageTempMinC: z.number(), storageTempMaxC: z.number(), storageLocation: z.string(),
  preservedAt: timestamp, expiresOn: calendarDate,
});

const releaseDecision = z.object({ id, decision: storedEnum(z.enum(['released', 'rejected'])), decidedBy: z.string(), decidedAt: timestamp, reason: z.string(), signatures });

const shipment = z.object({
  id, fromFacilityId: id, toFacilityId: id, shippedAt: timestamp, shippedBy: z.string(), conditions: z.string(),
  receivedAcceptable: z.boolean().nullable(),
  receipt: z
    .object({ receivedAt: timestamp, receivedBy: z.string(), conditionAcceptable: z.boolean(), temperatureAcceptable: z.boolean(), notes: z.string().nullable() })
    .nullable(),
});

export const dispositionRecord = z.object({
  id, kind: storedEnum(dispositionKind), reasonCode: storedEnum(z.enum([...discardReasonCode.options, 'returned'])), reasonText: z.string().nullable(), occurredAt: timestamp, facilityId: id, recordedBy: z.string(),
});

export const adverseReactionRecord = z
  .object({
    id, administrationId: id, onsetAt: timestamp, description: z.string(), severity: storedEnum(severity),
    suspectedCommunicableDisease: z.boolean(), reportedBy: z.string(), reportedAt: timestamp,
    reportDueOn: calendarDate.nullable().meta({
      description: 'When the report to FDA is due (21 CFR 1271.350(a)): 15 days after receipt with a communicable disease involved or suspected; null otherwise (investigated, no regulatory due date)',
    }),
    investigationClosedAt: timestamp.nullable(), investigationOutcome: z.string().nullable(),
    signatures: signatures.meta({ description: 'The signature that closed the investigation (adverse_reaction_closure)' }),
  })
  .meta({ id: 'AdverseReactionRecord' });

export const unitTrace = z
  .object({
    unit: unitSummary,
    lot: lotSummary,
    donor: donorSummary,
    consents: z.array(consent),
    screeningTests: z.array(screeningTest),
    medicalHistoryReviews: z.array(historyReview),
    eligibilityDeterminations: z.array(eligibility),
    processingSteps: z.array(processingStep),
    preservations: z.array(preservation),
    releaseDecisions: z.array(releaseDecision),
    deviationReports: z.array(deviationReportRecord).meta({ description: "Deviation reports of the unit's lot (21 CFR 1271.350(b)), by due date" }),
    shipments: z.array(shipment),
    administrations: z.array(administration).meta({ description: 'Every version, oldest first; current is the one not superseded' }),
    dispositions: z.array(dispositionRecord),
    adverseReactions: z.array(adverseReactionRecord),
  })
  .meta({ id: 'UnitTrace' });

const recipient = z.object({
  administrationId: id,
  administeredAt: timestamp,
  facilityId: id,
  facilityName: z.string(),
  patientId: id,
  medicalRecordNumber: z.string(),
});

const forwardUnit = unitSummary.extend({
  administration: recipient.nullable().meta({ description: 'The current administration, if the unit was administered' }),
  dispositions: z.array(dispositionRecord),
});

const forwardLot = lotSummary.extend({
  units: z.array(forwardUnit),
  deviationReports: z.array(deviationReportRecord).meta({ description: 'Deviation reports of the lot (21 CFR 1271.350(b)), by due date' }),
});

export const lotTrace = z
  .object({ donor: z.object({ id, donorCode: z.string() }), lot: forwardLot })
  .meta({ id: 'LotTrace' });

export const donorTrace = z.object({ donor: donorSummary, lots: z.array(forwardLot) }).meta({ id: 'DonorTrace' });

export const patientExposures = z
  .object({
    patient: z.object({ id, facilityId: id, medicalRecordNumber: z.string() }),
    exposures: z.array(
      z.object({
        administrationId: id,
        administeredAt: timestamp,
        facilityId: id,
        anatomicalSite: z.string(),
        indication: z.string().meta({ description: 'An Indication, or "other: <detail>"' }),
        unit: z.object({ id, code: z.string(), description: z.string(), expiresOn: calendarDate, status }),
        lot: z.object({ id, din: z.string(), status }),
        donor: z.object({ id, donorCode: z.string() }),
      }),
    ),
  })
  .meta({ id: 'PatientExposures' });

