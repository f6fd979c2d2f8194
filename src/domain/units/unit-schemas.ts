// The shapes of units (doses), their labels and the inventory.
import { z } from 'zod';
import { calendarDate, id, pageQuery, positiveDecimal, text, timestamp } from '../shared/schemas.ts';
import { storedEnum } from '../shared/stated-rules.ts';
import { preservationMethod, productStatus, tissueType } from '../lots/lot-schemas.ts';
import { DIVISION, TISSUE_PRODUCT_CODE } from './identification.ts';

export const newUnit = z.object({
  productCode: z.string().regex(TISSUE_PRODUCT_CODE, 'must be an ISBT 128 tissue product code: T and 4 digits').meta({ example: 'T0001' }),
  division: z
    .string()
    .regex(DIVISION, 'must be 3 characters A-Z or 0-9')
    .optional()
    .meta({ description: 'Omit for the next free division (A01, A02, …); 000 only for an undivided lot' }),
  description: text(300),
  size: text(100).optional().meta({ example: '2 x 3 cm' }),
  volumeMl: positiveDecimal({ max: 100000 }).optional(),
  form: text(100).meta({ example: 'sheet' }),
  expiresOn: calendarDate.meta({ description: 'No later than the lot’s preservation expiry' }),
});

export const newUnits = z.object({ units: z.array(newUnit).min(1).max(500) }).meta({ id: 'NewUnits' });

export const unit = z
  .object({
    id,
    code: z.string().meta({ description: 'DIN + product code + division, as encoded in the barcode' }),
    printedCode: z.string().meta({ description: 'The code as printed for keyboard entry, with the DIN check character' }),
    checkCharacter: z.string(),
    din: z.string(),
    lotId: id,
    productCode: z.string(),
    division: z.string(),
    description: z.string(),
    size: z.string().nullable(),
    volumeMl: z.number().nullable(),
    form: z.string(),
    expiresOn: calendarDate,
    status: productStatus,
    locationFacilityId: id.nullable().meta({ description: 'Where the unit is; null while in transit' }),
    inTransitShipmentId: id.nullable().meta({ description: 'The shipment carrying it; null when at a facility' }),
    tissueType: storedEnum(tissueType),
    createdAt: timestamp,
  })
  .meta({ id: 'Unit' });

export const unitList = z.object({ items: z.array(unit) }).meta({ id: 'UnitList' });

export const unitCodeParams = z.object({
  code: text(64).meta({ description: 'The unit code as scanned or printed, with or without the DIN check character' }),
});

export const label = z
  .object({
    identificationCode: z.string().meta({ description: 'As printed: DIN with check character, product code, division' }),
    barcodeData: z.object({ din: z.string(), productCode: z.string(), division: z.string(), expiresOn: calendarDate }),
    tissueType: storedEnum(tissueType),
    product: z.object({ productCode: z.string(), description: z.string(), size: z.string().nullable(), volumeMl: z.number().nullable(), form: z.string() }),
    expiresOn: calendarDate,
    storage: z.object({ method: storedEnum(preservationMethod), temperatureMinC: z.number(), temperatureMaxC: z.number() }).nullable(),
    status: productStatus,
    warnings: z.array(z.string()),
    euSec: z.object({ donationSequence: z.string(), productSequence: z.string() }).nullable(),
    bank: z.object({ name: z.string(), registrationNumber: z.string().nullable() }),
  })
  .meta({ id: 'Label' });

export const inventoryQuery = pageQuery.extend({
  facilityId: id.optional(),
  tissueType: text(60).optional(),
  productCode: z.string().regex(TISSUE_PRODUCT_CODE).optional(),
  expiringBefore: calendarDate.optional().meta({ description: 'Only units expiring before this date' }),
  status: productStatus.optional().meta({ description: 'Omit for what is available: released at the bank, or received (distributed) at a consignee' }),
});

export const inventory = z
  .object({
    asOf: calendarDate,
    total: z.number().int(),
    groups: z.array(z.object({ facilityId: id.nullable(), tissueType: storedEnum(tissueType), productCode: z.string(), count: z.number().int() })),
    items: z.array(unit),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'Inventory' });

export type NewUnit = z.infer<typeof newUnit>;
export type InventoryQuery = z.infer<typeof inventoryQuery>;

export const expirySweep = z
  .object({
    asOf: calendarDate,
    expired: z.array(z.object({ code: z.string(), statusBefore: productStatus, expiresOn: calendarDate })),
  })
  .meta({ id: 'ExpirySweep' });
