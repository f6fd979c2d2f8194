// What a label must carry (21 CFR 1271.370; EU SEC where configured), and never the donor's
// identity: the identification code relates the unit to its records without naming anyone.
import type { Facility, Preservation } from '../../generated/prisma/client.ts';
import {
  compoundMessage,
  dinDataStructure,
  euProductSequence,
  expiryDataStructure,
  printedUnitCode,
  productCodeDataStructure,
  secDataStructure,
} from './identification.ts';
import type { UnitWithLot } from './unit-views.ts';
import { calendarDay } from '../shared/dates.ts';
import type { Manifestation } from '../signatures/signature-views.ts';

export interface SignedRelease {
  decidedAt: Date;
  decidedBy: string;
  signatures: Manifestation[];
}

/** The release line: who released the lot, when, and the meaning of the signature (21 CFR 11.50). */
function releaseLine(release: SignedRelease | null) {
  if (!release) return null;
  const signature = release.signatures.find((s) => s.decisionKind === 'lot_release') ?? null;
  const text = signature
    ? `Released ${calendarDay(release.decidedAt)} by ${signature.printedName} (electronically signed ${signature.signedAt.toISOString()}, meaning: ${signature.meaning})`
    : `Released ${calendarDay(release.decidedAt)} by ${release.decidedBy}`;
  return { decidedAt: release.decidedAt, signature, text };
}

const ALWAYS = [
  'Rx only. For use by a licensed physician only.',
  'Single patient use. Do not re-sterilise.',
  'Not for use if the package is damaged or opened.',
  'Human tissue for transplantation: may transmit infectious agents.',
];

function statusWarning(unit: UnitWithLot, today: Date): string {
  // A status update may lag the calendar: the expiry date itself decides.
  if (unit.expiresOn < today) return `EXPIRED on ${calendarDay(unit.expiresOn)}: not for use.`;
  if (unit.lot.reviewFlaggedAt) return 'DO NOT USE: the lot is under review after the donor withdrew her consent.';
  if (unit.status === 'quarantine') return 'QUARANTINE: not released for transplantation. Donor eligibility not yet determined.';
  if (unit.status === 'released' || unit.status === 'distributed') return 'Donor eligibility determined: the donor was found eligible.';
  return `Not for use: the unit is ${unit.status.replace('_', ' ')}.`;
}

/**
 * The ISBT 128 data structures the label's barcodes carry, each with its data identifier: the
 * DIN with flag characters (DS 001), the product code (DS 003), the expiration date and time
 * (DS 005), and the Data Matrix compound message (DS 023) holding those three and, where the
 * bank has an EU code, the Single European Code (DS 038).
 */
function isbt128Symbols(unit: UnitWithLot, euSec: { donationSequence: string; productSequence: string } | null) {
  const din = dinDataStructure(unit.lot.din);
  const productCode = productCodeDataStructure(unit.productCode, unit.division);
  const expiration = expiryDataStructure(unit.expiresOn);
  const structures = [din, productCode, expiration, ...(euSec ? [secDataStructure(euSec.donationSequence, euSec.productSequence)] : [])];
  return { din, productCode, expiration, dataMatrix: compoundMessage(structures) };
}

export function buildLabel(unit: UnitWithLot, bank: Facility, preservation: Preservation | null, today: Date, release: SignedRelease | null = null) {
  // The sequence assigned to the lot at recovery: it never changes, even if the bank's EU code does.
  const donation = unit.lot.euDonationSequence;
  const euSec = donation ? { donationSequence: donation, productSequence: euProductSequence(unit.productCode, unit.division, unit.expiresOn) } : null;
  return {
    identificationCode: printedUnitCode(unit.lot.din, unit.productCode, unit.division),
    barcodeData: { din: unit.lot.din, productCode: unit.productCode, division: unit.division, expiresOn: unit.expiresOn },
    tissueType: unit.lot.tissueType,
    product: {
      productCode: unit.productCode,
      description: unit.description,
      size: unit.size,
      volumeMl: unit.volumeMl === null ? null : Number(unit.volumeMl),
      form: unit.form,
    },
    expiresOn: unit.expiresOn,
    storage: preservation
      ? { method: preservation.method, temperatureMinC: Number(preservation.storageTempMinC), temperatureMaxC: Number(preservation.storageTempMaxC) }
      : null,
    status: unit.status,
    warnings: [statusWarning(unit, today), ...ALWAYS],
    release: releaseLine(release),
    euSec,
    bank: { name: bank.name, registrationNumber: bank.registrationNumber, isbtFacilityId: bank.isbtFacilityId },
    isbt128: isbt128Symbols(unit, euSec),
  };
}
