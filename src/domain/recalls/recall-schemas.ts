import { z } from 'zod';
import { id, text, timestamp } from '../shared/schemas.ts';
import { productStatus } from '../lots/lot-schemas.ts';
import { storedEnum } from '../shared/stated-rules.ts';

export const newRecall = z
  .discriminatedUnion('scope', [
    z.object({ scope: z.literal('lot'), lotId: id, reason: text(2000) }),
    z.object({ scope: z.literal('donor'), donorId: id, reason: text(2000) }),
  ])
  .meta({ id: 'NewRecall' });

const unitRef = z.object({ unitId: id, code: z.string(), statusAtRecall: storedEnum(productStatus) });

const atFacility = <T extends z.ZodType>(item: T) =>
  z.object({
    facilityId: id.nullable(),
    facilityName: z.string().nullable(),
    units: z.array(item),
  });

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
    totals: z.object({ held: z.number(), administered: z.number(), discarded: z.number(), other: z.number() }),
  })
  .meta({ id: 'RecallReport' });
