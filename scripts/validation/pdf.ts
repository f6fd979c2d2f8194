// The report as a PDF (pdfkit), with the same sections as the HTML page, a footer naming the
// version and the page on every page, and blank signature lines for the bank.
import PDFDocument from 'pdfkit';
import {
  clauseIndex,
  engineLine,
  formatInstant,
  inForce,
  OUTCOME_LABELS,
  planned,
  PURPOSE,
  resultColumns,
  shortCommit,
  STATE_LABELS,
  summaryByRisk,
  testRows,
  verdictOf,
  type Report,
} from './report.ts';
import { ENGINE_NAMES } from './results.ts';
import type { RequirementResult } from './evaluate.ts';

type Doc = InstanceType<typeof PDFDocument>;

// The standard PDF fonts (Helvetica) encode WinAnsi only: other characters get a plain stand-in.
const WIN_ANSI_EXTRAS = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
const STAND_INS: Record<string, string> = { '→': '->', '←': '<-', '≥': '>=', '≤': '<=', '≠': '!=', '✓': 'v', '✗': 'x', '\u2009': ' ', '\u202f': ' ' };
export function winAnsi(text: string): string {
  return [...text]
    .map((c) => {
      const code = c.codePointAt(0)!;
      if ((code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRAS.has(c) || c === '\n') return c;
      return STAND_INS[c] ?? '?';
    })
    .join('');
}

const COLORS = { text: '#1d2430', muted: '#4a5566', rule: '#c5ccd6', head: '#eef1f5', pass: '#1f7a3a', fail: '#b3261e', high: '#8c1d16', medium: '#7a4b00', low: '#24456e' };
const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';
const MONO = 'Courier';

interface Column {
  title: string;
  width: number;
  font?: string;
}

class Writer {
  constructor(readonly doc: Doc) {}

  get left() {
    return this.doc.page.margins.left;
  }
  get width() {
    return this.doc.page.width - this.doc.page.margins.left - this.doc.page.margins.right;
  }
  get bottom() {
    return this.doc.page.height - this.doc.page.margins.bottom;
  }

  ensure(height: number) {
    if (this.doc.y + height > this.bottom) this.doc.addPage();
  }

  heading(text: string) {
    this.ensure(60);
    this.doc.moveDown(0.8).font(BOLD).fontSize(13).fillColor(COLORS.text).text(winAnsi(text), this.left, this.doc.y, { width: this.width });
    const y = this.doc.y + 2;
    this.doc.moveTo(this.left, y).lineTo(this.left + this.width, y).lineWidth(1.2).strokeColor(COLORS.text).stroke();
    this.doc.y = y + 6;
  }

  paragraph(text: string, options: { font?: string; size?: number; color?: string; gap?: number } = {}) {
    this.doc
      .font(options.font ?? FONT)
      .fontSize(options.size ?? 9.5)
      .fillColor(options.color ?? COLORS.text)
      .text(winAnsi(text), this.left, this.doc.y, { width: this.width });
    this.doc.moveDown(options.gap ?? 0.35);
  }

  table(columns: Column[], rows: string[][], options: { size?: number; colors?: (string | undefined)[][] } = {}) {
    const size = options.size ?? 8.5;
    const pad = 3;
    const measure = (cells: string[], fonts: string[]) =>
      Math.max(...cells.map((cell, i) => this.doc.font(fonts[i]!).fontSize(size).heightOfString(winAnsi(cell) || ' ', { width: columns[i]!.width - 2 * pad }))) + 2 * pad;
    const drawRow = (cells: string[], fonts: string[], fill?: string, colors?: (string | undefined)[]) => {
      const height = measure(cells, fonts);
      if (this.doc.y + height > this.bottom) {
        this.doc.addPage();
        if (fill === undefined && columns.some((c) => c.title)) drawRow(columns.map((c) => c.title), columns.map(() => BOLD), COLORS.head);
      }
      const y = this.doc.y;
      let x = this.left;
      cells.forEach((cell, i) => {
        const w = columns[i]!.width;
        if (fill) this.doc.rect(x, y, w, height).fillColor(fill).fill();
        this.doc.rect(x, y, w, height).lineWidth(0.5).strokeColor(COLORS.rule).stroke();
        this.doc.font(fonts[i]!).fontSize(size).fillColor(colors?.[i] ?? COLORS.text).text(winAnsi(cell), x + pad, y + pad, { width: w - 2 * pad });
        x += w;
      });
      this.doc.y = y + height;
    };
    this.ensure(40);
    const header = columns.some((c) => c.title);
    if (header) drawRow(columns.map((c) => c.title), columns.map(() => BOLD), COLORS.head);
    rows.forEach((row, r) => drawRow(row, columns.map((c) => c.font ?? FONT), undefined, options.colors?.[r]));
    this.doc.x = this.left;
    this.doc.moveDown(0.5);
  }

  /** Columns with the given widths; those without one share what is left. */
  columns(titles: string[], widths: number[], fonts: (string | undefined)[] = []): Column[] {
    const rest = (this.width - widths.reduce((a, b) => a + b, 0)) / (titles.length - widths.length);
    return titles.map((title, i) => ({ title, width: widths[i] ?? rest, ...(fonts[i] ? { font: fonts[i] } : {}) }));
  }
}

const outcomeColor = (o: string | undefined) => (o === 'passed' ? COLORS.pass : o === 'failed' ? COLORS.fail : COLORS.muted);

function verdict(w: Writer, report: Report) {
  const { problems, engines } = report.evaluation;
  const pass = problems.length === 0;
  const highs = inForce(report).filter((r) => r.requirement.risk === 'high').length;
  const text = winAnsi(
    pass
      ? `Every one of the ${highs} high-risk requirements in force is shown on ${engines.map((e) => ENGINE_NAMES[e]).join(' and ')}; ${report.run.counts.passed} tests passed, none failed.`
      : `The version is not shown fit for use: ${problems.length} problem${problems.length === 1 ? '' : 's'}, listed below.`,
  );
  const doc = w.doc;
  const height = doc.font(FONT).fontSize(9.5).heightOfString(text, { width: w.width - 24 }) + 36;
  w.ensure(height);
  const y = doc.y;
  const color = pass ? COLORS.pass : COLORS.fail;
  doc.rect(w.left, y, w.width, height).lineWidth(2.5).strokeColor(color).stroke();
  doc.font(BOLD).fontSize(15).fillColor(color).text(verdictOf(report), w.left + 12, y + 8);
  doc.font(FONT).fontSize(9.5).fillColor(COLORS.text).text(text, w.left + 12, y + 28, { width: w.width - 24 });
  doc.y = y + height + 6;
  for (const problem of problems) w.paragraph(`- ${problem}`, { size: 9, color: COLORS.fail, gap: 0.15 });
  for (const note of report.evaluation.notes) w.paragraph(`Note: ${note}`, { size: 8.5, color: COLORS.muted, gap: 0.15 });
}

function requirementBlock(w: Writer, report: Report, r: RequirementResult) {
  const q = r.requirement;
  const doc = w.doc;
  w.ensure(90);
  doc.moveDown(0.4);
  const y = doc.y;
  doc.font(BOLD).fontSize(10.5).fillColor(COLORS.text).text(q.id, w.left, y, { continued: true });
  doc.font(BOLD).fontSize(9).fillColor(COLORS[q.risk]).text(`    ${q.risk} risk, ${q.impact}`, { continued: true });
  const stateColor = r.state === 'shown' ? COLORS.pass : r.state === 'planned' ? COLORS.muted : COLORS.fail;
  doc.fillColor(stateColor).text(`    ${STATE_LABELS[r.state]}`);
  doc.moveDown(0.15);
  w.paragraph(q.requirement, { size: 9.5, gap: 0.15 });
  const engines = Object.entries(r.perEngine).map(([e, s]) => `${ENGINE_NAMES[e as keyof typeof ENGINE_NAMES]}: ${s}`);
  w.paragraph(
    `Clauses: ${q.clauses.join('; ')}.  Feature: ${q.feature}.${q.issue ? `  Issue #${q.issue}.` : ''}${q.status === 'answered' && engines.length ? `  Engines: ${engines.join(', ')}.` : ''}`,
    { size: 8.5, color: COLORS.muted, gap: 0.3 },
  );
  if (q.status !== 'answered') return;
  const rows = testRows(r.tests);
  if (rows.length === 0) {
    w.paragraph('No test names this requirement.', { size: 8.5, color: COLORS.fail });
    return;
  }
  const columns = resultColumns(report, rows);
  w.table(
    [{ title: 'Test', width: w.width - columns.length * 62 }, ...columns.map((c) => ({ title: c.title, width: 62 }))],
    rows.map((row) => [`${row.label}\n${row.file}${row.failure ? `\n${row.failure}` : ''}`, ...columns.map((c) => (row.results[c.key] ? OUTCOME_LABELS[row.results[c.key]!] : '-'))]),
    { colors: rows.map((row) => [undefined, ...columns.map((c) => outcomeColor(row.results[c.key]))]) },
  );
}

function footer(doc: Doc, report: Report) {
  const range = doc.bufferedPageRange();
  const text = winAnsi(`${report.system.product} ${report.system.version} · commit ${shortCommit(report.system)} · validation report ${formatInstant(report.generatedAt)} · ${verdictOf(report)}`);
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = doc.page.height - 38;
    doc.font(FONT).fontSize(7.5).fillColor(COLORS.muted);
    doc.text(text, doc.page.margins.left, y, { width: doc.page.width - doc.page.margins.left - doc.page.margins.right - 70, lineBreak: false });
    doc.text(`page ${i + 1} of ${range.count}`, doc.page.width - doc.page.margins.right - 70, y, { width: 70, align: 'right', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
}

export function renderPdf(report: Report): Promise<Buffer> {
  const { system, register, run } = report;
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 48, bottom: 56, left: 48, right: 48 },
    bufferPages: true,
    info: {
      Title: `Validation report - ${system.product} ${system.version}`,
      Subject: register.title,
      Author: system.product,
      CreationDate: report.generatedAt,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const w = new Writer(doc);

  doc.font(BOLD).fontSize(21).fillColor(COLORS.text).text('Validation report');
  w.paragraph(`${register.title.replace(/^Requirements register, /, '')} · ${system.product} ${system.version} · commit ${shortCommit(system)}`, { color: COLORS.muted, gap: 0 });
  w.paragraph(`Generated ${formatInstant(report.generatedAt)} from the test run of ${formatInstant(run.startedAt)} (${engineLine(report)})`, { color: COLORS.muted, gap: 0.6 });
  verdict(w, report);

  w.heading('1. Requirements by risk class');
  w.table(
    w.columns(['Risk', 'In force', 'Shown on every engine', 'Failed or partly shown', 'Without a test', 'Planned, not in this version'], [60, 60, 90, 90, 80]),
    summaryByRisk(report.evaluation).map((r) => [r.risk, String(r.inForce), String(r.shown), String(r.notShown), String(r.withoutTest), String(r.planned)]),
  );
  for (const k of ['high', 'medium', 'low'] as const) w.paragraph(`${k}: ${register.riskClasses[k]}`, { size: 8.5, color: COLORS.muted, gap: 0.2 });

  w.heading('2. Purpose and approach');
  for (const p of PURPOSE) w.paragraph(p);

  w.heading('3. System under test');
  w.table(w.columns(['', ''], [130]), [
    ['Product', `${system.product} ${system.version} - ${system.description}`],
    ['Commit', `${shortCommit(system)}${system.commit ? ` (${system.commit})` : ''}`],
    ['Runtime', `Node.js ${system.node} on ${system.platform}`],
    ['Embedded engine', `${system.pglite.version} (${system.pglite.package})`],
    ['PostgreSQL server', system.postgresql ? `${system.postgresql.version} at ${system.postgresql.server}` : 'not used in this run'],
  ]);
  if (system.uncommittedChanges.length) w.paragraph(`Uncommitted changes at the run: ${system.uncommittedChanges.join(', ')}`, { size: 8.5, color: COLORS.muted });
  w.table(w.columns(['Dependency', 'Installed version', 'Kind'], [190, 110], [MONO, MONO]), system.dependencies.map((d) => [d.name, d.version, d.kind]));

  w.heading('4. Test run');
  w.table(w.columns(['', ''], [130]), [
    ['Started', formatInstant(run.startedAt)],
    ['Duration', `${Math.round(run.durationMs / 1000)} s`],
    ['Engines', engineLine(report)],
    ['Test files', String(run.files.length)],
    ['Tests', `${run.counts.total}: ${run.counts.passed} passed, ${run.counts.failed} failed, ${run.counts.skipped} skipped`],
    ['Tests naming a requirement', `${run.counts.total - report.evaluation.untaggedTests} of ${run.counts.total}`],
  ]);

  w.heading('5. Requirements without a test');
  const gaps = report.evaluation.withoutTest;
  if (gaps.length === 0) w.paragraph('Every requirement in force has at least one test in this run.');
  else w.table(w.columns(['Requirement', 'Risk', 'Clauses', 'Requirement'], [80, 45, 120], [MONO]), gaps.map((g) => [g.requirement.id, g.requirement.risk, g.requirement.clauses.join('; '), g.requirement.requirement]));

  w.heading('6. Requirements and the tests that show them');
  for (const r of inForce(report)) requirementBlock(w, report, r);

  w.heading('7. Planned requirements, not part of this version');
  w.paragraph('Being built under the issues named; do not rely on them until a later report lists them as shown.');
  for (const r of planned(report)) requirementBlock(w, report, r);

  w.heading('8. Clauses the service does not answer');
  w.table(w.columns(['Clause', 'Whose', 'Why'], [110, 75]), register.notAnswered.map((n) => [n.clause, n.kind, n.why]));

  w.heading('9. Clause index');
  w.table(
    w.columns(['Clause', 'Subject', 'Requirements', 'Not answered (see 8)'], [95, 170, 85], [undefined, undefined, MONO]),
    clauseIndex(register).map((c) => [c.clause, c.title, c.requirements.join('\n') || '-', c.notAnswered.join('\n') || '-']),
  );

  w.heading('10. Review and approval by the bank');
  w.paragraph("Reviewed and approved as evidence of the service's validation for the bank's intended use, together with the bank's own qualification of its installation.");
  w.ensure(130);
  doc.moveDown(1);
  for (const role of ['Reviewer', 'Approver']) {
    const y = doc.y + 28;
    doc.font(BOLD).fontSize(9.5).fillColor(COLORS.text).text(role, w.left, y - 12);
    const fields: [string, number, number][] = [
      ['Name', w.left + 70, 150],
      ['Signature', w.left + 240, 150],
      ['Date', w.left + 410, w.width - 410],
    ];
    for (const [label, x, width] of fields) {
      doc.moveTo(x, y).lineTo(x + width - 10, y).lineWidth(0.7).strokeColor(COLORS.text).stroke();
      doc.font(FONT).fontSize(7.5).fillColor(COLORS.muted).text(label, x, y + 3, { width: width - 10 });
    }
    doc.x = w.left;
    doc.y = y + 24;
  }

  footer(doc, report);
  doc.end();
  return ended;
}
