// The label as a one-page PDF (pdfkit), 100 × 100 mm, barcodes as vector paths and text in the
// standard Helvetica fonts (nothing embedded, text extractable).
import PDFDocument from 'pdfkit';
import { LABEL_SIZE_MM, labelLayout, type LabelData, type LabelElement } from './label-layout.ts';

const PT_PER_MM = 72 / 25.4;

function draw(doc: PDFKit.PDFDocument, e: LabelElement) {
  switch (e.kind) {
    case 'text': {
      doc.font(e.bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(e.size);
      if (e.turned) {
        doc.save().rotate(90, { origin: [e.x, e.y] });
        doc.text(e.text, e.x, e.y - e.size * 0.1, { lineBreak: false, baseline: 'alphabetic' });
        doc.restore();
      } else {
        const horizontalScaling = e.fit ? (100 * e.fit) / doc.widthOfString(e.text) : 100;
        // pdfkit supports horizontalScaling (Tz); its type definitions do not list it yet.
        doc.text(e.text, e.x, e.y, { lineBreak: false, baseline: 'alphabetic', horizontalScaling } as PDFKit.Mixins.TextOptions);
      }
      return;
    }
    case 'box':
      doc.lineWidth(e.stroke).rect(e.x, e.y, e.w, e.h).stroke('#000');
      return;
    case 'rule':
      doc.rect(e.x, e.y, e.w, e.h).fill('#000');
      return;
    case 'barcode': {
      const sy = e.symbol.symbology === 'code128' ? e.h : e.module;
      doc.save().translate(e.x, e.y).scale(e.module, sy);
      for (const r of e.symbol.rects) doc.rect(r.x, r.y, r.w, r.h);
      doc.fill('#000').restore();
      return;
    }
  }
}

/** The PDF's bytes. */
export function labelPdf(label: LabelData): Promise<Buffer> {
  const size = [LABEL_SIZE_MM.width * PT_PER_MM, LABEL_SIZE_MM.height * PT_PER_MM];
  const doc = new PDFDocument({
    size,
    margin: 0,
    info: { Title: `ISBT 128 label ${label.identificationCode}`, Author: label.bank.name, Subject: 'Human tissue for transplantation' },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  // Draw in millimetres: one scale for the whole page.
  doc.scale(PT_PER_MM);
  for (const e of labelLayout(label)) draw(doc, e);
  doc.end();
  return done;
}
