// The formats a label is printed in, each with its media type and file extension.
import type { LabelData } from './label-layout.ts';

export const LABEL_FORMATS = {
  json: { mediaType: 'application/json', extension: 'json' },
  svg: { mediaType: 'image/svg+xml', extension: 'svg' },
  pdf: { mediaType: 'application/pdf', extension: 'pdf' },
  zpl: { mediaType: 'application/zpl', extension: 'zpl' },
} as const;

export type LabelFormat = keyof typeof LABEL_FORMATS;
export type PrintFormat = Exclude<LabelFormat, 'json'>;

export interface PrintedLabel {
  mediaType: string;
  fileName: string;
  body: string | Buffer;
}

// Loaded on first use: the barcode encoder and the PDF writer cost start-up time and memory
// that a service which never prints a label need not pay.
const renderers: Record<PrintFormat, () => Promise<(label: LabelData) => string | Promise<Buffer>>> = {
  svg: async () => (await import('./label-svg.ts')).labelSvg,
  pdf: async () => (await import('./label-pdf.ts')).labelPdf,
  zpl: async () => (await import('./label-zpl.ts')).labelZpl,
};

/** The label drawn in a print format, named after the unit's code. */
export async function printLabel(label: LabelData, format: PrintFormat): Promise<PrintedLabel> {
  const code = `${label.barcodeData.din}${label.barcodeData.productCode}${label.barcodeData.division}`;
  return { mediaType: LABEL_FORMATS[format].mediaType, fileName: `label-${code}.${LABEL_FORMATS[format].extension}`, body: await (await renderers[format]())(label) };
}
