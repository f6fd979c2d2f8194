// npm run validation-report: the validation report (HTML and PDF) from the requirements register
// and the results of the last test run (npm test writes them under reports/). Exits 1, saying why,
// when a high-risk requirement is not shown on every engine of the run, a test failed, or a tag
// names no requirement; the report is written all the same, so that the gap can be read.
//
//   npm run validation-report [-- --require-engines pglite,postgresql] [--results file] [--run-record file]
//                              [--register file] [--out dir] [--screenshot docs/validation-report.png]
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { screenshotFirstPage } from './validation/browser.ts';
import { evaluate } from './validation/evaluate.ts';
import { renderHtml } from './validation/html.ts';
import { renderPdf } from './validation/pdf.ts';
import { loadRegister, RegisterError, REGISTER_PATH } from './validation/register.ts';
import { verdictOf, type Report } from './validation/report.ts';
import { ENGINES, loadResults, RESULTS_PATH, ROOT, TagError, type Engine } from './validation/results.ts';
import { loadRunRecord, RUN_RECORD_PATH } from './validation/run-record.ts';
import { describeSystem } from './validation/system.ts';

const { values: args } = parseArgs({
  options: {
    results: { type: 'string', default: join(ROOT, RESULTS_PATH) },
    'run-record': { type: 'string', default: join(ROOT, RUN_RECORD_PATH) },
    register: { type: 'string' },
    out: { type: 'string', default: join(ROOT, 'reports/validation') },
    'require-engines': { type: 'string' },
    screenshot: { type: 'string' },
  },
});

function requiredEngines(list: string | undefined): Engine[] {
  if (!list) return [];
  const names = list.split(',').map((e) => e.trim());
  const unknown = names.filter((e) => !ENGINES.includes(e as Engine));
  if (unknown.length) throw new Error(`--require-engines: unknown engine ${unknown.join(', ')} (pglite, postgresql)`);
  return names as Engine[];
}

// The suite's test files, as vitest.config.ts includes them: every *.test.ts under tests/.
async function suiteFiles(): Promise<string[]> {
  const entries = await readdir(join(ROOT, 'tests'), { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.test.ts')).map((e) => relative(ROOT, join(e.parentPath, e.name))).sort();
}

async function main(): Promise<number> {
  const started = Date.now();
  const register = await loadRegister(args.register ? resolve(args.register) : REGISTER_PATH);
  const [run, record] = await Promise.all([loadResults(resolve(args.results)), loadRunRecord(resolve(args['run-record']))]);
  const evaluation = evaluate(register, run, { engines: record.engines, requiredEngines: requiredEngines(args['require-engines']), suiteFiles: await suiteFiles() });
  const apart = Math.abs(Date.parse(record.startedAt) - run.startedAt.getTime());
  if (apart > 15 * 60_000) evaluation.problems.unshift(`The run record (${record.startedAt}) and the test results (${run.startedAt.toISOString()}) are from different runs: run the suite again.`);

  const report: Report = { generatedAt: new Date(), register, system: await describeSystem(record), run, evaluation };
  const out = resolve(args.out);
  await mkdir(out, { recursive: true });
  const htmlPath = join(out, 'validation-report.html');
  const pdfPath = join(out, 'validation-report.pdf');
  await writeFile(htmlPath, renderHtml(report));
  await writeFile(pdfPath, await renderPdf(report));
  if (args.screenshot) await screenshotFirstPage(htmlPath, resolve(args.screenshot));

  const inForce = evaluation.requirements.filter((r) => r.requirement.status === 'answered');
  const high = inForce.filter((r) => r.requirement.risk === 'high');
  console.log(`Validation report: ${verdictOf(report)}`);
  console.log(`  ${inForce.length} requirements in force (${high.length} high risk), ${inForce.filter((r) => r.state === 'shown').length} shown on every engine, ${evaluation.withoutTest.length} without a test; ${evaluation.requirements.length - inForce.length} planned or retired`);
  console.log(`  ${run.counts.total} tests: ${run.counts.passed} passed, ${run.counts.failed} failed, ${run.counts.skipped} skipped; engines: ${record.engines.join(', ')}`);
  console.log(`  HTML: ${htmlPath}`);
  console.log(`  PDF:  ${pdfPath}`);
  if (args.screenshot) console.log(`  First page: ${resolve(args.screenshot)}`);
  console.log(`  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  for (const note of evaluation.notes) console.log(`  Note: ${note}`);
  if (evaluation.problems.length) {
    console.error(`\nThe validation report FAILS:\n${evaluation.problems.map((p) => `  - ${p}`).join('\n')}`);
    if (evaluation.problems.some((p) => p.includes('has no passing test'))) {
      console.error('A test shows a requirement when its name ends with the requirement\'s tag, e.g. it(\'refuses release … [REQ-RELEASE-01]\', …).');
    }
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known = error instanceof RegisterError || error instanceof TagError || (error instanceof Error && /^No (test results|record)/.test(error.message));
    console.error(`The validation report could not be made: ${known ? (error as Error).message : ((error as Error).stack ?? String(error))}`);
    process.exit(1);
  },
);
