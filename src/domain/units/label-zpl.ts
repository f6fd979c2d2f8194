// The label as ZPL II for Zebra printers at 203 dpi (8 dots per mm), 4 × 4 in. The printer
// draws the barcodes itself from their data (^BC Code 128, ^BX Data Matrix); text uses the
// scalable font 0 in UTF-8 (^CI28), with ^FH hexadecimal escapes for ZPL's own characters.
import { LABEL_SIZE_MM, labelLayout, type LabelData, type LabelElement } from './label-layout.ts';

export const ZPL_DOTS_PER_MM = 8;
const dots = (mm: number) => Math.round(mm * ZPL_DOTS_PER_MM);

/** Text for ^FH\^FD…: the characters ZPL reads as commands become hexadecimal escapes. */
const fieldText = (text: string) => text.replace(/[\\^~]/g, (c) => `\\${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * ^BC field data in "no mode" (N): start in subset B (>:), switch to subset C (>5) for runs of
 * four or more digits (an even count of them), back to B (>6) after; ">" itself is "><".
 * Explicit codes make the symbol the same on every firmware.
 */
export function code128FieldData(data: string): string {
  let out = '>:';
  let subsetC = false;
  for (const [run] of data.matchAll(/[0-9]{4,}|[^0-9]+|[0-9]{1,3}/g)) {
    if (/^[0-9]{4,}$/.test(run)) {
      const odd = run.length % 2 === 1;
      if (odd) out += `${subsetC ? '>6' : ''}${run[0]}`;
      out += `>5${run.slice(odd ? 1 : 0)}`;
      subsetC = true;
    } else {
      out += `${subsetC ? '>6' : ''}${run.replace(/>/g, '><')}`;
      subsetC = false;
    }
  }
  return out;
}

function command(e: LabelElement): string {
  switch (e.kind) {
    case 'text': {
      const h = dots(e.size);
      // ^FT places a field by its baseline; a turned (R) field is placed by ^FO at its top left.
      if (e.turned) return `^FO${dots(e.x - e.size * 0.8)},${dots(e.y)}^A0R,${h},${h}^FH\\^FD${fieldText(e.text)}^FS`;
      return `^FT${dots(e.x)},${dots(e.y)}^A0N,${h},${Math.round(h * (e.bold ? 0.95 : 0.85))}^FH\\^FD${fieldText(e.text)}^FS`;
    }
    case 'box':
      return `^FO${dots(e.x)},${dots(e.y)}^GB${dots(e.w)},${dots(e.h)},${Math.max(1, dots(e.stroke))}^FS`;
    case 'rule':
      return `^FO${dots(e.x)},${dots(e.y)}^GB${dots(e.w)},${dots(e.h)},${Math.min(dots(e.w), dots(e.h))}^FS`;
    case 'barcode':
      if (e.symbol.symbology === 'code128') {
        return `^FO${dots(e.x)},${dots(e.y)}^BY${dots(e.module)}^BCN,${dots(e.h)},N,N,N,N^FD${code128FieldData(e.symbol.data)}^FS`;
      }
      return `^FO${dots(e.x)},${dots(e.y)}^BXN,${dots(e.module)},200^FD${e.symbol.data}^FS`;
  }
}

export function labelZpl(label: LabelData): string {
  return [
    '^XA',
    '^CI28',
    `^PW${dots(LABEL_SIZE_MM.width)}`,
    `^LL${dots(LABEL_SIZE_MM.height)}`,
    '^LH0,0',
    ...labelLayout(label).map(command),
    '^PQ1',
    '^XZ',
    '',
  ].join('\n');
}
