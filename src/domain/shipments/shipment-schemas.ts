// The shapes of shipments and their receipt at the consignee.
import { z } from 'zod';
import { id, multilineText, pageQuery, text, timestamp } from '../shared/schemas.ts';
import { unitCodeInput } from '../units/unit-schemas.ts';
import { uniqueArray } from '../shared/stated-rules.ts';

export const newShipment = z
  .object({
    fromFacilityId: id,
    toFacilityId: id,
    unitCodes: uniqueArray(z.array(unitCodeInput).min(1).max(500), 'lists a unit twice').meta({
      description: 'Unit codes as printed or scanned; a unit listed twice, even written two ways, is refused',
    }),
    shippedAt: timestamp,
    conditions: multilineText(500).meta({ description: 'Shipping conditions, e.g. dry ice, validated shipper, -80 °C' }),
  })
  .meta({ id: 'NewShipment' });

export const newReceipt = z
  .object({
    receivedAt: timestamp,
    conditionAcceptable: z.boolean(),
    temperatureAcceptable: z.boolean(),
    notes: multilineText(2000).optional(),
    units: z
      .array(z.object({ code: unitCodeInput, acceptable: z.boolean() }))
      .optional()
      .meta({ description: 'Per-unit condition; units not listed follow the shipment’s condition' }),
  })
  .meta({ id: 'NewShipmentReceipt' });

export const receipt = z
  .object({
    id,
    shipmentId: id,
    receivedAt: timestamp,
    receivedBy: z.string(),
    conditionAcceptable: z.boolean(),
    temperatureAcceptable: z.boolean(),
    notes: z.string().nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'ShipmentReceipt' });

export const shipment = z
  .object({
    id,
    fromFacilityId: id,
    toFacilityId: id,
    shippedAt: timestamp,
    shippedBy: z.string(),
    conditions: z.string(),
    createdAt: timestamp,
    items: z.array(z.object({ unitId: id, unitCode: z.string(), receivedAcceptable: z.boolean().nullable() })),
    receipt: receipt.nullable(),
  })
  .meta({ id: 'Shipment' });

export const shipmentListQuery = pageQuery.extend({
  facilityId: id.optional().meta({ description: 'Shipments leaving or reaching this facility (clinicians: always their own)' }),
  direction: z
    .enum(['outgoing', 'incoming', 'any'])
    .default('any')
    .meta({ description: 'With facilityId: outgoing leave it, incoming reach it, any both' }),
  status: z.enum(['in_transit', 'received']).optional().meta({ description: 'in_transit: no receipt recorded yet; received: receipt recorded' }),
});

export type ShipmentListQuery = z.infer<typeof shipmentListQuery>;
export type NewShipment = z.infer<typeof newShipment>;
export type NewReceipt = z.infer<typeof newReceipt>;
