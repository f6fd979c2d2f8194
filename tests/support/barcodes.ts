// Reads barcodes back the way a scanner would: the label is rendered to a picture (resvg) and
// ZXing-C++ (compiled to WebAssembly, loaded from node_modules, never fetched) decodes it.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
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

/** Every Code 128 and Data Matrix symbol in a PNG. */
export async function decodeBarcodes(png: Uint8Array): Promise<ReadResult[]> {
  await zxing();
  return readBarcodes(png, { formats: ['Code128', 'DataMatrix'], maxNumberOfSymbols: 10, tryHarder: true });
}
