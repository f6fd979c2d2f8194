import { z } from 'zod';
import { id, multilineText, timestamp } from '../shared/schemas.ts';
import { productStatus } from '../lots/lot-schemas.ts';
import { storedEnum } from '../shared/stated-rules.ts';

export const discardReasonCode = z
  .enum(['expired', 'damaged', 'contaminated', 'opened_not_used', 'temperature_excursion', 'recalled', 'other'])
  .meta({ id: 'DiscardReasonCode' });

export const discard = z
  .object({ reasonCode: discardReasonCode, reasonText: multilineText(1000).optional(), occurredAt: timestamp })
  .meta({ id: 'Discard' });

export const unitReturn = z.object({ reasonText: multilineText(1000), occurredAt: timestamp }).meta({ id: 'UnitReturn' });

export const disposition = z
  .object({
    id,
    unitId: id,
    unitCode: z.string(),
    kind: storedEnum(z.enum(['discarded', 'returned'])),
    reasonCode: storedEnum(z.enum([...discardReasonCode.options, 'returned'])).meta({ description: 'Why it was discarded; returned for a return' }),
    reasonText: z.string().nullable(),
    occurredAt: timestamp,
    facilityId: id.meta({ description: 'Where the unit was when it was discarded or returned from' }),
    recordedBy: z.string(),
    unitStatus: productStatus.meta({ description: "The unit's status after the disposition" }),
    unitLocationFacilityId: id.nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'Disposition' });
