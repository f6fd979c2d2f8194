// The shapes of units (doses), their labels and the inventory.
import { z } from 'zod';
import { calendarDate, id, pageQuery, positiveDecimal, text, timestamp } from '../shared/schemas.ts';
import { storedEnum } from '../shared/stated-rules.ts';
import { preservationMethod, productStatus, tissueType } from '../lots/lot-schemas.ts';
import { DIVISION, TISSUE_PRODUCT_CODE } from './identification.ts';
import { LABEL_FORMATS, type LabelFormat } from './label-formats.ts';
import { signatureManifestation } from '../signatures/signature-schemas.ts';

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

/** A unit code as typed, printed or scanned from the label's ISBT 128 barcodes (one parser: identification.ts). */
export const unitCodeInput = text(120).meta({
    description:
      'Unit code as scanned or typed: DIN, optional check character, product code, division (spaces and dashes ignored); or the ISBT 128 ' +
      'barcodes as a scanner sends them: the DIN (=…) and product code (=<…) one after the other, or the Data Matrix compound message (=+…)',
    example: 'W1234 26 000042 5 T0001 A01',
  });

export const unitCodeParams = z.object({ code: unitCodeInput });

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
    release: z
      .object({ decidedAt: timestamp, signature: signatureManifestation.nullable(), text: z.string() })
      .nullable()
      .meta({ description: "The release line: the lot's release decision with its electronic signature (printed name, date and time, meaning); null before release" }),
    euSec: z.object({ donationSequence: z.string(), productSequence: z.string() }).nullable(),
    bank: z.object({ name: z.string(), registrationNumber: z.string().nullable(), isbtFacilityId: z.string().nullable() }),
    isbt128: z
      .object({
        din: z.string().meta({ description: 'Code 128, data structure 001: "=" + DIN + flag characters 00', example: '=W12342600004200' }),
        productCode: z.string().meta({ description: 'Code 128, data structure 003: "=<" + product code + division', example: '=<T0001A01' }),
        expiration: z.string().meta({ description: 'Code 128, data structure 005: "&>" + cyyjjjhhmm (end of the expiry day, 2359)', example: '&>0313252359' }),
        dataMatrix: z.string().meta({ description: 'Data Matrix, data structure 023 compound message holding the structures above and, with an EU code, the SEC (data structure 038)' }),
      })
      .meta({ description: 'The data each barcode of the printed label encodes, data identifiers included, as a scanner reads it back' }),
  })
  .meta({ id: 'Label' });

export const inventoryQuery = pageQuery.extend({
  facilityId: id.optional(),
  tissueType: tissueType.optional(),
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
export type InventoryFilters = Omit<InventoryQuery, 'cursor' | 'limit'>;

export const expirySweep = z
  .object({
    asOf: calendarDate,
    expired: z.array(z.object({ code: z.string(), statusBefore: productStatus, expiresOn: calendarDate })),
  })
  .meta({ id: 'ExpirySweep' });

export const labelQuery = z.object({
  format: z
    .enum(Object.keys(LABEL_FORMATS) as [LabelFormat, ...LabelFormat[]])
    .optional()
    .meta({ description: 'json (what the label carries), svg, pdf or zpl (Zebra printers, 203 dpi); overrides the Accept header' }),
});

/** The printed label formats as OpenAPI response content. */
export const printedLabelContent = {
  'image/svg+xml': { schema: z.string().meta({ description: '100 × 100 mm label, barcodes as vector paths' }) },
  'application/pdf': { schema: z.string().meta({ format: 'binary', description: 'One 100 × 100 mm page' }) },
  'application/zpl': { schema: z.string().meta({ description: 'ZPL II for a 4 × 4 in label at 203 dpi' }) },
};
