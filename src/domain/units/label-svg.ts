// The label as SVG: millimetre coordinates (viewBox 0 0 100 100, 100 mm square), barcodes as
// filled paths so that they print and scale without resampling.
import type { VectorSymbol } from './barcode-symbols.ts';
import { LABEL_SIZE_MM, labelLayout, type LabelData, type LabelElement } from './label-layout.ts';

const FONT = "Helvetica, Arial, 'Liberation Sans', sans-serif";

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n = (value: number) => Number(value.toFixed(3)).toString();

function symbolPath(symbol: VectorSymbol): string {
  const rects = symbol.rects.map((r) => `M${n(r.x)} ${n(r.y)}h${n(r.w)}v${n(r.h)}h${n(-r.w)}Z`);
  return rects.join('');
}

function element(e: LabelElement): string {
  switch (e.kind) {
    case 'text': {
      const weight = e.bold ? ' font-weight="bold"' : '';
      const turn = e.turned ? ` transform="rotate(90 ${n(e.x)} ${n(e.y)})"` : '';
      const fit = e.fit ? ` textLength="${n(e.fit)}" lengthAdjust="spacingAndGlyphs"` : '';
      // A turned text reads downwards from (x, y); its glyphs hang to the left of the line.
      const y = e.turned ? n(e.y - e.size * 0.1) : n(e.y);
      return `<text x="${n(e.x)}" y="${y}" font-size="${n(e.size)}"${weight}${turn}${fit}>${escapeXml(e.text)}</text>`;
    }
    case 'box':
      return `<rect x="${n(e.x)}" y="${n(e.y)}" width="${n(e.w)}" height="${n(e.h)}" fill="none" stroke="#000" stroke-width="${n(e.stroke)}"/>`;
    case 'rule':
      return `<rect x="${n(e.x)}" y="${n(e.y)}" width="${n(e.w)}" height="${n(e.h)}" fill="#000"/>`;
    case 'barcode': {
      const sx = e.module;
      const sy = e.symbol.symbology === 'code128' ? e.h : e.module;
      return (
        `<g transform="translate(${n(e.x)} ${n(e.y)}) scale(${n(sx)} ${n(sy)})" shape-rendering="crispEdges">` +
        `<title>${escapeXml(e.symbol.data)}</title><path fill="#000" d="${symbolPath(e.symbol)}"/></g>`
      );
    }
  }
}

export function labelSvg(label: LabelData): string {
  const { width, height } = LABEL_SIZE_MM;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}mm" height="${height}mm" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`,
    `<title>ISBT 128 label ${escapeXml(label.identificationCode)}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...labelLayout(label).map(element),
    '</svg>',
    '',
  ].join('\n');
}
