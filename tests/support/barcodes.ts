// Reads barcodes back the way a scanner would: the label is rendered to a picture (SVG by resvg,
// PDF by pdf.js onto a @napi-rs/canvas) and ZXing-C++ (compiled to WebAssembly, loaded from
// node_modules, never fetched) decodes it. None of these is the encoder (bwip-js).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { Resvg } from '@resvg/resvg-js';
import bwipjs from 'bwip-js';
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

/**
 * ZPL ^BC field data (mode N) as the Code 128 codewords a printer encodes, read by the invocation
 * codes of the ZPL II manual: >9 >: >; start subset A, B, C; >5 >6 >7 switch to C, B, A; >< is ">".
 * Written apart from the service's encoder (label-zpl.ts), to check it.
 */
export function zplCode128Codewords(field: string): number[] {
  const starts: Record<string, [number, 'A' | 'B' | 'C']> = { '>9': [103, 'A'], '>:': [104, 'B'], '>;': [105, 'C'] };
  const switches: Record<string, [number, 'A' | 'B' | 'C']> = { '>7': [101, 'A'], '>6': [100, 'B'], '>5': [99, 'C'] };
  let rest = field;
  const start = starts[rest.slice(0, 2)];
  let subset: 'A' | 'B' | 'C' = start ? start[1] : 'B';
  const codewords = [start ? start[0] : 104];
  if (start) rest = rest.slice(2);
  while (rest.length) {
    const pair = rest.slice(0, 2);
    if (switches[pair]) {
      codewords.push(switches[pair][0]);
      subset = switches[pair][1];
      rest = rest.slice(2);
    } else if (subset === 'C') {
      if (!/^[0-9]{2}$/.test(pair)) throw new Error(`subset C holds digit pairs, not "${pair}"`);
      codewords.push(Number(pair));
      rest = rest.slice(2);
    } else {
      const char = pair === '><' ? '>' : rest[0]!;
      if (char === '>' && pair !== '><') throw new Error(`unknown invocation code "${pair}"`);
      if (subset !== 'B') throw new Error('only subset B is read here');
      codewords.push(char.charCodeAt(0) - 32);
      rest = rest.slice(pair === '><' ? 2 : 1);
    }
  }
  return codewords;
}

/**
 * The barcodes of a ZPL label drawn as a 203 dpi printer draws them, one dot a pixel: each
 * ^FO x,y ^BY w ^BC…,h field as the Code 128 symbol of its codewords (bars from bwip-js's
 * codeword-level "raw" mode, which adds the check character and stop), each ^BX…,h field as the
 * Data Matrix of its data, at the field's origin and module size. Text and boxes are left out.
 */
export function zplBarcodesToPng(zpl: string): Buffer {
  const width = Number(/\^PW(\d+)/.exec(zpl)![1]);
  const height = Number(/\^LL(\d+)/.exec(zpl)![1]);
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#fff';
  context.fillRect(0, 0, width, height);
  context.fillStyle = '#000';
  for (const [, x, y, module, barHeight, field] of zpl.matchAll(/\^FO(\d+),(\d+)\^BY(\d+)\^BCN,(\d+),N,N,N,N\^FD(.*?)\^FS/g)) {
    const text = zplCode128Codewords(field!).map((c) => `^${String(c).padStart(3, '0')}`).join('');
    const [{ sbs }] = bwipjs.raw({ bcid: 'code128', text, raw: true } as never) as unknown as [{ sbs: number[] }];
    let at = Number(x);
    sbs.forEach((bar, i) => {
      if (i % 2 === 0) context.fillRect(at, Number(y), bar * Number(module), Number(barHeight));
      at += bar * Number(module);
    });
  }
  for (const [, x, y, module, field] of zpl.matchAll(/\^FO(\d+),(\d+)\^BXN,(\d+),200\^FD(.*?)\^FS/g)) {
    const [{ pixs, pixx, pixy }] = bwipjs.raw({ bcid: 'datamatrix', text: field! }) as unknown as [{ pixs: number[]; pixx: number; pixy: number }];
    const m = Number(module);
    for (let row = 0; row < pixy; row++) for (let col = 0; col < pixx; col++) if (pixs[row * pixx + col]) context.fillRect(Number(x) + col * m, Number(y) + row * m, m, m);
  }
  return canvas.toBuffer('image/png');
}
