// ISBT 128 identification (ICCBBA ST-001): Donation Identification Numbers, their ISO/IEC 7064
// Mod 37-2 check character, unit codes, and the EU Single European Code (2006/86/EC Annex VII).
// Codes relate a unit to its donation and never carry a name or medical record number.
import { calendarDay } from '../shared/dates.ts';

const MOD37_2_CHARSET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*';

/** ISO/IEC 7064 Mod 37-2 check character of an alphanumeric string. */
export function mod37_2(data: string): string {
  let sum = 0;
  for (const char of data) {
    const value = MOD37_2_CHARSET.indexOf(char);
    if (value < 0 || value > 35) throw new Error(`"${char}" cannot appear in an ISBT 128 code`);
    sum = ((sum + value) * 2) % 37;
  }
  return MOD37_2_CHARSET[(38 - sum) % 37]!;
}

/** 5-character facility identification number + 2-digit year + 6-digit sequence. */
export function buildDin(facilityIdentifier: string, year: number, sequence: number): string {
  if (!/^[A-NP-Z0-9]{5}$/.test(facilityIdentifier)) throw new Error(`Invalid ISBT 128 facility identification number: ${facilityIdentifier}`);
  if (sequence < 1 || sequence > 999_999) throw new Error('The DIN sequence for this facility and year is exhausted');
  return `${facilityIdentifier}${String(year % 100).padStart(2, '0')}${String(sequence).padStart(6, '0')}`;
}

/** Division: 3 characters telling the units of one donation apart; 000 when undivided. */
export const DIVISION = /^[A-Z0-9]{3}$/;
/** ISBT 128 tissue product codes start with T: T + 4 digits. */
export const TISSUE_PRODUCT_CODE = /^T[0-9]{4}$/;

/** The unit code stored and printed in barcodes: DIN (13) + product code (5) + division (3). */
export function buildUnitCode(din: string, productCode: string, division: string): string {
  return `${din}${productCode}${division}`;
}

export type ParsedUnitCode =
  | { ok: true; code: string; din: string; productCode: string; division: string }
  | { ok: false; reason: string };

/**
 * Reads a unit code as scanned or typed: spaces and dashes are ignored, letters may be lower
 * case, and the DIN's check character may follow the DIN (as printed for keyboard entry),
 * e.g. "W1234 26 000042 5 T0001 A01". A wrong check character is refused: it means a typing error.
 */
export function parseUnitCode(input: string): ParsedUnitCode {
  const text = input.replace(/[\s-]/g, '').toUpperCase();
  const plain = /^([A-NP-Z0-9]{5}[0-9]{8})(T[0-9]{4})([A-Z0-9]{3})$/.exec(text);
  const checked = /^([A-NP-Z0-9]{5}[0-9]{8})([0-9A-Z*])(T[0-9]{4})([A-Z0-9]{3})$/.exec(text);
  if (plain) {
    const [, din, productCode, division] = plain as unknown as [string, string, string, string];
    return { ok: true, code: buildUnitCode(din, productCode, division), din, productCode, division };
  }
  if (checked) {
    const [, din, check, productCode, division] = checked as unknown as [string, string, string, string, string];
    const expected = mod37_2(din);
    if (check !== expected) {
      return { ok: false, reason: `The check character ${check} does not match the DIN ${din} (expected ${expected}): the code was probably mistyped.` };
    }
    return { ok: true, code: buildUnitCode(din, productCode, division), din, productCode, division };
  }
  return {
    ok: false,
    reason: 'A unit code is the 13-character DIN, optionally its check character, the product code (T + 4 digits) and the 3-character division.',
  };
}

/** How a unit code is printed for people: DIN groups, check character, product, division. */
export function printedUnitCode(din: string, productCode: string, division: string): string {
  return `${din.slice(0, 5)} ${din.slice(5, 7)} ${din.slice(7)} ${mod37_2(din)} ${productCode} ${division}`;
}

/** EU SEC donation identification sequence: country (2) + tissue establishment code (6) + unique donation number (13). */
export function euDonationSequence(euTissueEstablishmentCode: string | null, din: string): string | null {
  return euTissueEstablishmentCode ? `${euTissueEstablishmentCode}${din}` : null;
}

/**
 * EU SEC product identification sequence: coding system (A = ISBT 128) + product code (7)
 * + split number (3) + expiry YYYYMMDD. The ISBT 128 product code is 5 characters; the SEC
 * field is 7, so it is padded with the 2-character ISBT type-of-donation/flag field "00".
 */
export function euProductSequence(productCode: string, division: string, expiresOn: Date): string {
  return `A${productCode}00${division}${calendarDay(expiresOn).replace(/-/g, '')}`;
}

/** How a DIN is printed for keyboard entry: facility, year, sequence and check character, e.g. "W1234 26 000042 5". */
export function printedDin(din: string): string {
  return `${din.slice(0, 5)} ${din.slice(5, 7)} ${din.slice(7)} ${mod37_2(din)}`;
}
