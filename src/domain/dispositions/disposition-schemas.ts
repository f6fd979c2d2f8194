import { z } from 'zod';
import { id, text, timestamp } from '../shared/schemas.ts';

export const discardReasonCode = z
  .enum(['expired', 'damaged', 'contaminated', 'opened_not_used', 'temperature_excursion', 'recalled', 'other'])
  .meta({ id: 'DiscardReasonCode' });

export const discard = z
  .object({ reasonCode: discardReasonCode, reasonText: text(1000).optional(), occurredAt: timestamp })
  .meta({ id: 'Discard' });

export const unitReturn = z.object({ reasonText: text(1000), occurredAt: timestamp }).meta({ id: 'UnitReturn' });

export const disposition = z
  .object({
    id,
    unitId: id,
    unitCode: z.string(),
    kind: z.string().meta({ description: 'discarded | returned' }),
    reasonCode: z.string(),
    reasonText: z.string().nullable(),
    occurredAt: timestamp,
    facilityId: id.meta({ description: 'Where the unit was when it was discarded or returned from' }),
    recordedBy: z.string(),
    unitStatus: z.string().meta({ description: "The unit's status after the disposition" }),
    unitLocationFacilityId: id.nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'Disposition' });
