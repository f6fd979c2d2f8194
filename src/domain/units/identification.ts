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

const TYPED_REASON =
  'A unit code is the 13-character DIN, optionally its check character, the product code (T + 4 digits) and the 3-character division, ' +
  'or the ISBT 128 barcodes of the DIN (=…) and the product code (=<…) as scanned, alone or in a 2-D compound message (=+…).';

/**
 * Reads a unit code as scanned or typed.
 * - Typed or printed: spaces and dashes are ignored, letters may be lower case, and the DIN's
 *   check character may follow the DIN (as printed for keyboard entry), e.g.
 *   "W1234 26 000042 5 T0001 A01". A wrong check character is refused: it means a typing error.
 * - Scanned: the ISBT 128 data structures with their data identifiers, as a scanner transmits
 *   them: the DIN (=αppppyynnnnnnff) and the product code (=<αooootds) read one after the other
 *   in either order, optionally with the expiration date and time (&>cyyjjjhhmm), or the
 *   Data Matrix compound message (=+aabbb followed by those structures). See scannedUnitCode.
 */
export function parseUnitCode(input: string): ParsedUnitCode {
  if (/[=&]/.test(input)) return scannedUnitCode(input);
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
  return { ok: false, reason: TYPED_REASON };
}

// ---------- ISBT 128 data structures (ST-001 section 2.4) ----------

/** Flag characters "00": flags not used (ST-001 table RT004). */
export const NO_FLAGS = '00';

/** Data Structure 001, Donation Identification Number: "=" + DIN (13) + flag characters (2). */
export const dinDataStructure = (din: string, flags = NO_FLAGS) => `=${din}${flags}`;

/** Data Structure 003, Product Code: "=<" + product description code (5) + division (tds, 3). */
export const productCodeDataStructure = (productCode: string, division: string) => `=<${productCode}${division}`;

/**
 * Data Structure 005, Expiration Date and Time: "&>" + cyyjjjhhmm (century digit, year in the
 * century, ordinal day, hour, minute). A unit expires at the end of its expiry date: 2359, the
 * value ST-001 prescribes when no time is specified.
 */
export function expiryDataStructure(expiresOn: Date): string {
  const year = expiresOn.getUTCFullYear();
  const ordinal = Math.floor((Date.UTC(year, expiresOn.getUTCMonth(), expiresOn.getUTCDate()) - Date.UTC(year, 0, 1)) / 86_400_000) + 1;
  return `&>${Math.floor(year / 100) % 10}${String(year % 100).padStart(2, '0')}${String(ordinal).padStart(3, '0')}2359`;
}

/** Data Structure 038, Single European Code: "&,4" + donation identification sequence (21) + product identification sequence (19). */
export const secDataStructure = (donationSequence: string, productSequence: string) => `&,4${donationSequence}${productSequence}`;

/** Data Structure 023, Compound Message of undefined sequence ("=+" + count + "000"), followed by the structures. */
export const compoundMessage = (structures: string[]) => `=+${String(structures.length).padStart(2, '0')}000${structures.join('')}`;

/** The value of Type 3 flag characters: 60 + the Mod 37-2 check value of the DIN (ST-001 table RT004). */
export const checkFlags = (din: string) => String(60 + MOD37_2_CHARSET.indexOf(mod37_2(din)));

// One ISBT 128 data structure at the start of a scanned string: its data identifier and its fixed-length content.
const SCANNED_STRUCTURES: { name: string; pattern: RegExp }[] = [
  { name: 'compound message', pattern: /^=\+([0-9]{2})([0-9]{3})/ },
  { name: 'product code', pattern: /^=<([A-Z][A-Z0-9]{4})([A-Za-z0-9]{3})/ },
  { name: 'expiration date and time', pattern: /^&>([0-9])([0-9]{2})([0-9]{3})([0-9]{2})([0-9]{2})/ },
  { name: 'expiration date', pattern: /^=>([0-9])([0-9]{2})([0-9]{3})/ },
  { name: 'single european code', pattern: /^&,4([A-Za-z0-9]{40})/ },
  { name: 'donation identification number', pattern: /^=([A-NP-Z0-9]{5}[0-9]{8})([0-9A-HJ-NPR-Y]{2})/ },
];

/**
 * A unit code from ISBT 128 barcodes as a scanner transmits them. Scanners may prefix each
 * symbol with its AIM symbology identifier (]C0 for Code 128, ]d1 for Data Matrix) and end it
 * with a carriage return; both are dropped. The DIN and the product code must both be present,
 * once each. Type 3 flag characters (60–96) carry the DIN's check value and are verified.
 */
export function scannedUnitCode(input: string): ParsedUnitCode {
  let rest = input.replace(/\][A-Za-z][0-9]/g, '').replace(/[\r\n\t ]/g, '');
  const found: Record<string, RegExpExecArray> = {};
  let declared: number | null = null;
  let count = 0;
  while (rest.length) {
    const match = SCANNED_STRUCTURES.map((s) => ({ ...s, exec: s.pattern.exec(rest) })).find((s) => s.exec);
    if (!match?.exec) return { ok: false, reason: `"${rest.slice(0, 20)}" is not an ISBT 128 data structure this service reads. ${TYPED_REASON}` };
    if (match.name === 'compound message') {
      if (count > 0 || declared !== null) return { ok: false, reason: 'A compound message (=+) must come first, once.' };
      declared = Number(match.exec[1]);
    } else {
      if (found[match.name]) return { ok: false, reason: `The scan holds the ${match.name} twice.` };
      found[match.name] = match.exec;
      count++;
    }
    rest = rest.slice(match.exec[0].length);
  }
  if (declared !== null && declared !== count) {
    return { ok: false, reason: `The compound message announces ${declared} data structures but holds ${count}: the scan is incomplete.` };
  }
  const dinMatch = found['donation identification number'];
  const productMatch = found['product code'];
  if (!dinMatch || !productMatch) {
    return { ok: false, reason: 'Scan both the DIN barcode (=…) and the product code barcode (=<…) of the label: together they identify the unit.' };
  }
  const [, din, flags] = dinMatch as unknown as [string, string, string];
  const flagValue = Number(flags);
  if (/^[0-9]{2}$/.test(flags) && flagValue >= 60 && flagValue <= 96 && flags !== checkFlags(din)) {
    return { ok: false, reason: `The flag characters ${flags} carry a check value that does not match the DIN ${din}: the barcode is damaged or misprinted.` };
  }
  const [, productCode, division] = productMatch as unknown as [string, string, string];
  if (!TISSUE_PRODUCT_CODE.test(productCode)) return { ok: false, reason: `The product code ${productCode} is not an ISBT 128 tissue product code (T + 4 digits).` };
  const upperDivision = division.toUpperCase();
  return { ok: true, code: buildUnitCode(din, productCode, upperDivision), din, productCode, division: upperDivision };
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
