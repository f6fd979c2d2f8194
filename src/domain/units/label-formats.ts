// The formats a label is printed in, each with its media type and file extension.
import type { LabelData } from './label-layout.ts';
import { labelPdf } from './label-pdf.ts';
import { labelSvg } from './label-svg.ts';
import { labelZpl } from './label-zpl.ts';

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

const renderers: Record<PrintFormat, (label: LabelData) => string | Promise<Buffer>> = { svg: labelSvg, pdf: labelPdf, zpl: labelZpl };

/** The label drawn in a print format, named after the unit's code. */
export async function printLabel(label: LabelData, format: PrintFormat): Promise<PrintedLabel> {
  const code = `${label.barcodeData.din}${label.barcodeData.productCode}${label.barcodeData.division}`;
  return { mediaType: LABEL_FORMATS[format].mediaType, fileName: `label-${code}.${LABEL_FORMATS[format].extension}`, body: await renderers[format](label) };
}
