import { z } from 'zod';
import { id, multilineText, pageQuery, timestamp } from '../shared/schemas.ts';
import { productStatus } from '../lots/lot-schemas.ts';
import { storedEnum } from '../shared/stated-rules.ts';
import { signatureBlock, signatures } from '../signatures/signature-schemas.ts';

export const newRecall = z
  .discriminatedUnion('scope', [
    z.object({ scope: z.literal('lot'), lotId: id, reason: multilineText(2000), signature: signatureBlock('recall_initiation') }),
    z.object({ scope: z.literal('donor'), donorId: id, reason: multilineText(2000), signature: signatureBlock('recall_initiation') }),
  ])
  .meta({ id: 'NewRecall' });

const unitRef = z.object({ unitId: id, code: z.string(), statusAtRecall: storedEnum(productStatus) });

const atFacility = <T extends z.ZodType>(item: T) =>
  z.object({
    facilityId: id.nullable(),
    facilityName: z.string().nullable(),
    units: z.array(item),
  });

const count = z.number().int().min(0);
const recallTotals = z
  .object({ held: count, administered: count, discarded: count, other: count })
  .meta({ id: 'RecallTotals', description: 'How many units the recall found in each place' });

export const recallReport = z
  .object({
    id,
    scope: z.enum(['lot', 'donor']),
    lotId: id.nullable(),
    donorId: id.nullable(),
    reason: z.string(),
    initiatedBy: z.string(),
    initiatedAt: timestamp,
    held: z.array(atFacility(unitRef)).meta({ description: 'Units that were in inventory and are now on hold as recalled, per facility (in-transit units under their destination)' }),
    administered: z
      .array(atFacility(unitRef.extend({ patientId: id.nullable(), medicalRecordNumber: z.string().nullable() })))
      .meta({ description: 'Units already administered: the patients to notify, per facility' }),
    discarded: z.array(unitRef.extend({ facilityId: id.nullable() })),
    other: z.array(unitRef.extend({ facilityId: id.nullable() })).meta({ description: 'Units already out of inventory otherwise: rejected, expired, recalled before' }),
    totals: recallTotals,
    signatures: signatures.meta({ description: 'The initiator\'s signature (recall_initiation) and, once given, quality\'s countersignature (recall_countersignature) by another person' }),
    awaitingCountersignature: z.boolean().meta({ description: 'true until a second person countersigns (POST /recalls/{id}/countersignature)' }),
  })
  .meta({ id: 'RecallReport' });

export const recallCountersignature = z.object({ signature: signatureBlock('recall_countersignature') }).meta({ id: 'RecallCountersignatureRequest' });

const noticeState = z
  .object({
    noticeId: id,
    facilityId: id,
    facilityName: z.string().nullable(),
    status: z.enum(['pending', 'delivered', 'acknowledged', 'failed']).meta({ description: 'pending: still being delivered (or waiting for the facility to register an endpoint)' }),
    unitsHeld: z.number().int(),
    unitsAdministered: z.number().int(),
    notifiedAt: timestamp.nullable().meta({ description: 'When the consignee’s endpoint answered 2xx' }),
    attempts: z.number().int(),
    lastAttemptAt: timestamp.nullable(),
    lastAttemptError: z.string().nullable(),
    nextAttemptAt: timestamp.nullable(),
    acknowledgedAt: timestamp.nullable(),
    acknowledgedBy: z.string().nullable(),
    unitsQuarantined: z.boolean().nullable(),
    patientsNotified: z.boolean().nullable(),
    outstanding: z
      .array(z.enum(['delivery', 'acknowledgement', 'units_quarantined', 'patients_notified']))
      .meta({ description: 'What the consignee has still to receive or confirm; empty when it is done' }),
  })
  .meta({ id: 'RecallNoticeState' });

export const recallWithNotices = recallReport
  .extend({ notices: z.array(noticeState).meta({ description: 'Per consignee: notified at, acknowledged at, what is outstanding' }) })
  .meta({ id: 'RecallReportWithNotices' });

export const recallAcknowledgement = z
  .object({
    facilityId: id.optional().meta({ description: 'The consignee; clinicians acknowledge for their own facility and omit it' }),
    unitsQuarantined: z.boolean().meta({ description: 'Every unit of the recall held at the facility is quarantined' }),
    patientsNotified: z.boolean().meta({ description: 'Every patient who received a unit of the recall has been notified' }),
    note: multilineText(2000).optional(),
  })
  .meta({ id: 'RecallAcknowledgement' });

export { noticeState };

export const recallSummary = z
  .object({
    id,
    scope: z.enum(['lot', 'donor']),
    lotId: id.nullable(),
    donorId: id.nullable(),
    reason: z.string(),
    initiatedBy: z.string(),
    initiatedAt: timestamp,
    totals: recallTotals,
  })
  .meta({ id: 'RecallSummary', description: 'A recall with the size of its reach; GET /recalls/{id} gives the units and patients' });

export const recallListQuery = pageQuery.extend({
  scope: z.enum(['lot', 'donor']).optional(),
  lotId: id.optional().meta({ description: 'Recalls of this lot' }),
  donorId: id.optional().meta({ description: 'Recalls of this donor' }),
});

export type RecallListQuery = z.infer<typeof recallListQuery>;
