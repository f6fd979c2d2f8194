// Reads barcodes back the way a scanner would: the label is rendered to a picture (SVG by resvg,
// PDF by pdf.js onto a @napi-rs/canvas) and ZXing-C++ (compiled to WebAssembly, loaded from
// node_modules, never fetched) decodes it. None of these is the encoder (bwip-js).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { Resvg } from '@resvg/resvg-js';
import { prepareZXingModule, readBarcodes, type ReadResult } from 'zxing-wasm/reader';

const require = createRequire(import.meta.url);
let ready: Promise<unknown> | null = null;

function zxing() {
  ready ??= readFile(require.resolve('zxing-wasm/reader/zxing_reader.wasm')).then((bytes) =>
    prepareZXingModule({ overrides: { wasmBinary: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer }, fireImmediately: true }),
  );
  return ready;
}

/** An SVG rendered to PNG at `pixelsPerMm` (the label is 100 mm wide). */
export function svgToPng(svg: string, pixelsPerMm = 16): Buffer {
  return new Resvg(svg, { background: 'white', fitTo: { mode: 'width', value: 100 * pixelsPerMm }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' } }).render().asPng();
}

/** The first page of a PDF rendered to PNG at `pixelsPerMm`, as a printer or a screen would draw it. */
export async function pdfToPng(pdf: Uint8Array, pixelsPerMm = 16): Promise<Buffer> {
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const standardFontDataUrl = `${join(dirname(require.resolve('pdfjs-dist/package.json')), 'standard_fonts')}/`;
  const document = await getDocument({ data: new Uint8Array(pdf), isEvalSupported: false, standardFontDataUrl }).promise;
  try {
    const page = await document.getPage(1);
    const widthMm = (page.view[2]! - page.view[0]!) / (72 / 25.4);
    const viewport = page.getViewport({ scale: (widthMm * pixelsPerMm) / (page.view[2]! - page.view[0]!) });
    const canvas = createCanvas(Math.round(viewport.width), Math.round(viewport.height));
    const context = canvas.getContext('2d');
    context.fillStyle = '#fff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    await page.render({ canvasContext: context as never, canvas: canvas as never, viewport }).promise;
    return canvas.toBuffer('image/png');
  } finally {
    await document.destroy();
  }
}

/** Every Code 128 and Data Matrix symbol in a PNG. */
export async function decodeBarcodes(png: Uint8Array): Promise<ReadResult[]> {
  await zxing();
  return readBarcodes(png, { formats: ['Code128', 'DataMatrix'], maxNumberOfSymbols: 10, tryHarder: true });
}
