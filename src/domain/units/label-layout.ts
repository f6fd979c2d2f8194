// The printed label: one layout, in millimetres on a 100 × 100 mm (4 × 4 in) label, drawn the
// same way as SVG, PDF and ZPL. Laid out as ISBT 128 (ST-001) base labels are: the DIN upper
// left as a Code 128 barcode (data structure 001 with its data identifier and flag characters)
// over the eye-readable DIN with its flag characters turned 90° and the Mod 37-2 check
// character in a box, never in the barcode; the product code (data structure 003) upper right
// with the product; the expiration date and time (data structure 005) lower right; tissue type,
// storage and the bank in between; warnings lower left; the EU Single European Code along the
// bottom where the bank has an EU code; and a Data Matrix with the same data (data structure
// 023, a compound message) for 2-D scanners. Never the donor.
import { calendarDay } from '../shared/dates.ts';
import { vectorSymbol, type VectorSymbol } from './barcode-symbols.ts';
import { mod37_2, NO_FLAGS } from './identification.ts';
import type { buildLabel } from './label.ts';

export type LabelData = ReturnType<typeof buildLabel>;

export const LABEL_SIZE_MM = { width: 100, height: 100 };

/** Narrowest Code 128 bar: 0.25 mm, within ISBT 128's 0.17–0.25 mm, and 2 dots of a 203 dpi printer. */
export const CODE128_MODULE_MM = 0.25;
/** One Data Matrix cell: 0.5 mm (4 dots at 203 dpi). */
export const DATAMATRIX_MODULE_MM = 0.5;
export const BAR_HEIGHT_MM = 12;

export type LabelElement =
  /** Text from its baseline's left end (or, turned, from its top); size is the font size in mm; `fit`: stretched or squeezed to exactly this width, whatever the font. */
  | { kind: 'text'; x: number; y: number; size: number; text: string; bold: boolean; turned?: boolean; fit?: number }
  /** An outlined box. */
  | { kind: 'box'; x: number; y: number; w: number; h: number; stroke: number }
  /** A filled rectangle: rules between the label's zones. */
  | { kind: 'rule'; x: number; y: number; w: number; h: number }
  /** A barcode: its symbol drawn in the box, `module` mm per module. */
  | { kind: 'barcode'; x: number; y: number; w: number; h: number; module: number; symbol: VectorSymbol };

// Helvetica's average advance is about 0.53 em (0.58 em bold): enough to wrap text in its zone.
const approxWidth = (text: string, size: number, bold: boolean) => text.length * size * (bold ? 0.58 : 0.53);

/** Breaks text into lines no wider than `width` mm at `size`; at most `maxLines`, the last ending in "…" if cut. */
export function wrap(text: string, width: number, size: number, bold = false, maxLines = 3): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (approxWidth(candidate, size, bold) <= width || !line) line = candidate;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${kept[maxLines - 1]!.replace(/\s*\S+$/, '')} …`;
  return kept;
}

const humanise = (code: string) => code.replace(/_/g, ' ');

function barcode(symbol: VectorSymbol, x: number, y: number): LabelElement {
  if (symbol.symbology === 'code128') {
    return { kind: 'barcode', x, y, w: symbol.width * CODE128_MODULE_MM, h: BAR_HEIGHT_MM, module: CODE128_MODULE_MM, symbol };
  }
  return { kind: 'barcode', x, y, w: symbol.width * DATAMATRIX_MODULE_MM, h: symbol.height * DATAMATRIX_MODULE_MM, module: DATAMATRIX_MODULE_MM, symbol };
}

function lines(x: number, y: number, texts: string[], size: number, bold = false, leading = 1.25): LabelElement[] {
  return texts.map((text, i) => ({ kind: 'text', x, y: y + i * size * leading, size, text, bold }));
}

/** Upper left: the DIN barcode, and the DIN as printed for people with flags turned and the check character boxed. */
function dinZone(label: LabelData): LabelElement[] {
  const din = label.barcodeData.din;
  const printed = `${din.slice(0, 5)} ${din.slice(5, 7)} ${din.slice(7)}`;
  const size = 4.2;
  const baseline = 22;
  const afterText = 3 + approxWidth(printed, size, true) + 0.6;
  const check = mod37_2(din);
  // The check character, for keyboard entry only, stands apart in a box.
  const box = { x: afterText + 2.4, y: baseline - size * 0.86, w: size * 0.95, h: size * 1.05 };
  const checkWidth = Math.min(approxWidth(check, size, true), box.w - 0.8);
  return [
    barcode(vectorSymbol('code128', label.isbt128.din), 3, 4),
    { kind: 'text', x: 3, y: baseline, size, text: printed, bold: true, fit: approxWidth(printed, size, true) },
    { kind: 'text', x: afterText, y: baseline - size * 0.72, size: 1.8, text: NO_FLAGS, bold: false, turned: true },
    { kind: 'box', ...box, stroke: 0.3 },
    { kind: 'text', x: box.x + (box.w - checkWidth) / 2, y: baseline, size, text: check, bold: true, fit: checkWidth },
    ...lines(3, 27.5, wrap(label.bank.name, 44, 2.4, true, 1), 2.4, true),
    ...lines(3, 30.8, [[label.bank.isbtFacilityId && `FIN ${label.bank.isbtFacilityId}`, label.bank.registrationNumber && `Reg. ${label.bank.registrationNumber}`].filter(Boolean).join('  ·  ')], 2.2),
  ];
}

/** Upper right: the product code barcode, the product code as printed, and the product. */
function productZone(label: LabelData): LabelElement[] {
  const { product } = label;
  const details = [product.size, product.form, product.volumeMl === null ? null : `${product.volumeMl} mL`].filter(Boolean).join(', ');
  return [
    barcode(vectorSymbol('code128', label.isbt128.productCode), 53, 4),
    { kind: 'text', x: 53, y: 22, size: 4.2, text: `${product.productCode} ${label.barcodeData.division}`, bold: true },
    ...lines(53, 27.5, wrap(product.description, 44, 2.4, true, 2), 2.4, true),
    ...lines(53, 33, wrap(details, 44, 2.2, false, 1), 2.2),
  ];
}

/** Middle left: what the tissue is and how to store it. */
function tissueZone(label: LabelData): LabelElement[] {
  const storage = label.storage
    ? [`Store at ${label.storage.temperatureMinC} °C to ${label.storage.temperatureMaxC} °C`, `Preservation: ${humanise(label.storage.method)}`]
    : ['Storage conditions not yet recorded'];
  // The release line: who released the lot, when, and what the electronic signature means (21 CFR 11.50).
  const signature = label.release?.signature;
  const release = label.release
    ? `Released ${calendarDay(label.release.decidedAt)}${signature ? ` · ${signature.meaning} · e-signed ${signature.printedName}` : ''}`
    : null;
  return [
    ...lines(3, 42, wrap(humanise(label.tissueType).toUpperCase(), 44, 3.6, true, 2), 3.6, true),
    { kind: 'text', x: 3, y: 51, size: 2.2, text: 'HUMAN TISSUE FOR TRANSPLANTATION', bold: false },
    ...lines(3, 56, storage, 2.6, true),
    ...(release ? lines(3, 62.6, wrap(release, 46, 1.5, false, 1), 1.5) : []),
  ];
}

/** Middle right: the expiration date and time, as a barcode and as text. */
function expiryZone(label: LabelData): LabelElement[] {
  return [
    { kind: 'text', x: 53, y: 40, size: 2.2, text: 'EXPIRATION DATE AND TIME', bold: false },
    barcode(vectorSymbol('code128', label.isbt128.expiration), 53, 42),
    { kind: 'text', x: 53, y: 60, size: 4.2, text: `${calendarDay(label.expiresOn)} 23:59`, bold: true },
  ];
}

/** Lower left: the status warning in a box, then the warnings every label carries; the SEC along the bottom. */
function warningZone(label: LabelData): LabelElement[] {
  const [status = '', ...always] = label.warnings;
  const width = 70;
  const statusLines = wrap(status, width - 3, 2.8, true, 3);
  const boxHeight = statusLines.length * 3.5 + 1.6;
  const elements: LabelElement[] = [
    { kind: 'box', x: 3, y: 68, w: width, h: boxHeight, stroke: 0.5 },
    ...lines(4.5, 68 + 3.4, statusLines, 2.8, true),
  ];
  let y = 68 + boxHeight + 3;
  for (const warning of always) {
    const wrapped = wrap(warning, width, 2, false, 2);
    elements.push(...lines(3, y, wrapped, 2));
    y += wrapped.length * 2.5 + 0.3;
  }
  if (label.euSec) elements.push({ kind: 'text', x: 3, y: 97, size: 2.4, text: `SEC ${label.euSec.donationSequence} ${label.euSec.productSequence}`, bold: true });
  return elements;
}

/** Lower right: the Data Matrix compound message, for 2-D scanners. */
function dataMatrixZone(label: LabelData): LabelElement[] {
  const symbol = vectorSymbol('datamatrix', label.isbt128.dataMatrix);
  const size = symbol.width * DATAMATRIX_MODULE_MM;
  return [barcode(symbol, 97 - size, 68 + Math.max(0, (24 - size) / 2))];
}

export function labelLayout(label: LabelData): LabelElement[] {
  return [
    { kind: 'rule', x: 50, y: 2, w: 0.3, h: 62 },
    { kind: 'rule', x: 2, y: 35.5, w: 96, h: 0.3 },
    { kind: 'rule', x: 2, y: 64, w: 96, h: 0.3 },
    ...dinZone(label),
    ...productZone(label),
    ...tissueZone(label),
    ...expiryZone(label),
    ...warningZone(label),
    ...dataMatrixZone(label),
  ];
}
