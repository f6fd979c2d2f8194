// The shapes of lots, their processing steps, deviations, preservation and release decisions.
import { z } from 'zod';
import { ProductStatus } from '../../generated/prisma/enums.ts';
import { calendarDate, decimal, id, multilineText, pageQuery, text, timestamp } from '../shared/schemas.ts';
import { storedEnum } from '../shared/stated-rules.ts';
import { TISSUE_TYPES } from './processing-rules.ts';
import { MINIMAL_STEP_KINDS, processingParameters } from './processing-parameters.ts';
import { signatureBlock, signatures } from '../signatures/signature-schemas.ts';

export const productStatus = z.enum(ProductStatus).meta({ id: 'ProductStatus' });

/** The placental tissues a lot may hold (processing-rules.ts); an input is checked by a rule, to refuse fetal tissue with the reason. */
export const tissueType = z.enum(TISSUE_TYPES).meta({ id: 'TissueType' });

export const newLot = z
  .object({
    donorId: id,
    // A free string checked by a rule, so that embryonic or fetal tissue meets a clear refusal.
    tissueType: text(60).meta({ description: `One of: ${TISSUE_TYPES.join(', ')}. Embryonic or fetal tissue is always refused.` }),
    bankFacilityId: id.meta({ description: 'The tissue bank (with an ISBT 128 facility identification number) that issues the DIN' }),
    recoveryFacilityId: id,
    recoveredAt: timestamp,
    recoveredBy: text(200),
  })
  .meta({ id: 'NewLot' });

export const lot = z
  .object({
    id,
    din: z.string().meta({ description: 'ISBT 128 Donation Identification Number (13 characters)' }),
    checkCharacter: z.string().meta({ description: 'ISO/IEC 7064 Mod 37-2 check character of the DIN' }),
    printedDin: z.string().meta({ description: 'The DIN as printed for keyboard entry, with its check character' }),
    euDonationSequence: z.string().nullable().meta({ description: 'EU SEC donation identification sequence, where the bank has an EU code' }),
    donorId: id,
    tissueType: storedEnum(tissueType),
    bankFacilityId: id,
    recoveryFacilityId: id,
    recoveredAt: timestamp,
    recoveredBy: z.string(),
    status: productStatus,
    processingCompletedAt: timestamp.nullable(),
    processingCompletedBy: z.string().nullable(),
    reviewFlaggedAt: timestamp.nullable(),
    reviewFlagReason: z.string().nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'Lot' });

export const lotListQuery = pageQuery.extend({ status: productStatus.optional(), donorId: id.optional() });

export const newProcessingStep = processingParameters.meta({ id: 'NewProcessingStep' });

/** The kinds of step a lot can carry: more than minimal manipulation is never recorded. */
export const minimalStepKind = z.enum(MINIMAL_STEP_KINDS).meta({ id: 'ProcessingStepKind' });

export const deviation = z
  .object({
    id,
    lotId: id,
    stepId: id,
    description: z.string(),
    openedAt: timestamp,
    closedAt: timestamp.nullable(),
    closedBy: z.string().nullable(),
    resolution: z.string().nullable(),
  })
  .meta({ id: 'ProcessingDeviation' });

export const processingStep = z
  .object({
    id,
    lotId: id,
    kind: storedEnum(minimalStepKind),
    startedAt: timestamp,
    finishedAt: timestamp,
    operator: z.string(),
    facilityId: id,
    parameters: z.unknown().meta({ description: 'The parameters of the step, as validated for its kind' }),
    createdAt: timestamp,
    createdBy: z.string().nullable(),
    deviations: z.array(deviation),
  })
  .meta({ id: 'ProcessingStep' });

export const deviationParams = z.object({ id, deviationId: id });
export const deviationClosure = z.object({ resolution: multilineText(2000) }).meta({ id: 'DeviationClosure' });

export const processingCompletion = z
  .object({ completedAt: timestamp.optional().meta({ description: 'Defaults to now' }) })
  .meta({ id: 'ProcessingCompletion' });

export const preservationMethod = z.enum(['cryopreserved', 'dehydrated', 'lyophilised', 'hypothermic']).meta({ id: 'PreservationMethod' });

export const newPreservation = z
  .object({
    method: preservationMethod,
    storageTempMinC: decimal({ min: -273, max: 100 }),
    storageTempMaxC: decimal({ min: -273, max: 100 }),
    storageLocation: text(200),
    preservedAt: timestamp,
    expiresOn: calendarDate,
  })
  .meta({ id: 'NewPreservation' });

export const preservation = z
  .object({
    id,
    lotId: id,
    method: storedEnum(preservationMethod),
    storageTempMinC: z.number(),
    storageTempMaxC: z.number(),
    storageLocation: z.string(),
    preservedAt: timestamp,
    expiresOn: calendarDate,
    createdAt: timestamp,
    createdBy: z.string().nullable(),
  })
  .meta({ id: 'Preservation' });

export const releaseInput = z
  .object({ decidedAt: timestamp, reason: multilineText(2000), signature: signatureBlock('lot_release') })
  .meta({ id: 'LotReleaseRequest' });

export const rejectionInput = z
  .object({ decidedAt: timestamp, reason: multilineText(2000), signature: signatureBlock('lot_rejection') })
  .meta({ id: 'LotRejectionRequest' });

export const releaseDecision = z
  .object({
    id,
    lotId: id,
    decision: storedEnum(z.enum(['released', 'rejected'])),
    decidedBy: z.string().meta({ description: 'The name on the API key that decided' }),
    decidedAt: timestamp,
    reason: z.string(),
    createdAt: timestamp,
    signatures,
  })
  .meta({ id: 'ReleaseDecision' });

export const lotDetail = lot
  .extend({
    processingSteps: z.array(processingStep),
    preservations: z.array(preservation).meta({ description: 'Every record, oldest first; the latest counts' }),
    releaseDecisions: z.array(releaseDecision),
  })
  .meta({ id: 'LotDetail' });

export type NewLot = z.infer<typeof newLot>;
export type NewProcessingStep = z.infer<typeof newProcessingStep>;
export type NewPreservation = z.infer<typeof newPreservation>;
export type ReleaseInput = z.infer<typeof releaseInput> | z.infer<typeof rejectionInput>;
