// Barcode symbols as rectangles in module units, encoded by bwip-js (Barcode Writer in Pure
// PostScript): it computes the symbol (Code 128 subsets and check character, Data Matrix ECC 200
// and its Reed-Solomon blocks) and hands back its modules; this file only turns them into dark
// rectangles, so that the SVG and PDF labels draw exactly the same symbol at the size the layout
// gives it.
import bwipjs from 'bwip-js';

export type Symbology = 'code128' | 'datamatrix';

export interface VectorSymbol {
  symbology: Symbology;
  /** The data encoded, exactly as a scanner reads it back. */
  data: string;
  /** Size in modules: the narrowest bar, or one Data Matrix cell, is 1 × 1; a linear symbol is 1 high. */
  width: number;
  height: number;
  /** Dark areas in module units, origin top left. */
  rects: { x: number; y: number; w: number; h: number }[];
}

interface LinearRaw {
  sbs: number[];
}
interface MatrixRaw {
  pixs: number[];
  pixx: number;
  pixy: number;
}

/** Bars from Code 128's alternating bar and space widths (bar first), one module high. */
function linear(symbology: Symbology, data: string, { sbs }: LinearRaw): VectorSymbol {
  const rects: VectorSymbol['rects'] = [];
  let x = 0;
  sbs.forEach((width, i) => {
    if (i % 2 === 0) rects.push({ x, y: 0, w: width, h: 1 });
    x += width;
  });
  return { symbology, data, width: x, height: 1, rects };
}

/** Cells from a matrix symbol's rows of 0/1, dark runs of a row merged into one rectangle. */
function matrix(symbology: Symbology, data: string, { pixs, pixx, pixy }: MatrixRaw): VectorSymbol {
  const rects: VectorSymbol['rects'] = [];
  for (let y = 0; y < pixy; y++) {
    for (let x = 0; x < pixx; x++) {
      if (!pixs[y * pixx + x]) continue;
      let end = x;
      while (end + 1 < pixx && pixs[y * pixx + end + 1]) end++;
      rects.push({ x, y, w: end - x + 1, h: 1 });
      x = end;
    }
  }
  return { symbology, data, width: pixx, height: pixy, rects };
}

export function vectorSymbol(symbology: Symbology, data: string): VectorSymbol {
  const [raw] = bwipjs.raw({ bcid: symbology, text: data }) as unknown as [LinearRaw | MatrixRaw];
  return 'sbs' in raw ? linear(symbology, data, raw) : matrix(symbology, data, raw);
}
