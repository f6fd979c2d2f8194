// The validation package: the register holds together, tags name requirements, a high-risk
// requirement without a passing test fails the report (also from the command line), the PDF reads
// back with every requirement, and a real browser shows the HTML.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumInstalled, launchChromium } from '../scripts/validation/browser.ts';
import { evaluate } from '../scripts/validation/evaluate.ts';
import { renderHtml } from '../scripts/validation/html.ts';
import { renderPdf } from '../scripts/validation/pdf.ts';
import { loadRegister, parseRegister, REGISTER_PATH, RegisterError, type Register } from '../scripts/validation/register.ts';
import type { Report } from '../scripts/validation/report.ts';
import { parseResults, ROOT, tagsOf, type Engine } from '../scripts/validation/results.ts';
import type { RunRecord } from '../scripts/validation/run-record.ts';
import type { SystemUnderTest } from '../scripts/validation/system.ts';

const run = promisify(execFile);
/** A tag as a test name carries it; built, so that this file's fixtures are not taken for tags of its own. */
const tag = (id: string) => `[${id}]`;

interface FixtureTest {
  file: string;
  engine: Engine | null;
  title: string;
  status: 'passed' | 'failed' | 'skipped';
}

/** Results as vitest's JSON reporter writes them. */
function vitestJson(tests: FixtureTest[]) {
  const files = [...new Set(tests.map((t) => t.file))];
  return {
    startTime: Date.parse('2026-11-24T09:00:00Z'),
    success: tests.every((t) => t.status !== 'failed'),
    numTotalTests: tests.length,
    numPassedTests: tests.filter((t) => t.status === 'passed').length,
    numFailedTests: tests.filter((t) => t.status === 'failed').length,
    numPendingTests: tests.filter((t) => t.status === 'skipped').length,
    testResults: files.map((file) => ({
      name: join(ROOT, file),
      status: tests.some((t) => t.file === file && t.status === 'failed') ? 'failed' : 'passed',
      message: '',
      startTime: Date.parse('2026-11-24T09:00:00Z'),
      endTime: Date.parse('2026-11-24T09:00:30Z'),
      assertionResults: tests
        .filter((t) => t.file === file)
        .map((t) => ({
          ancestorTitles: [t.engine ? `the chain on ${t.engine}` : 'pure rules'],
          title: t.title,
          status: t.status,
          duration: 12,
          failureMessages: t.status === 'failed' ? ['AssertionError: expected 409 to be 201'] : [],
        })),
    })),
  };
}

/** One passing test per answered requirement, on both engines, each tagged with its requirement. */
function fullCoverage(register: Register): FixtureTest[] {
  return register.requirements
    .filter((r) => r.status === 'answered')
    .flatMap((r) => (['pglite', 'postgresql'] as const).map((engine) => ({ file: 'tests/fixture.test.ts', engine, title: `shows ${r.id.toLowerCase()} ${tag(r.id)}`, status: 'passed' as const })));
}

/** A whole run: the tests above, and an untagged passing test in each file of the real suite. */
async function wholeRun(register: Register): Promise<FixtureTest[]> {
  const files = (await testSources()).map(({ file }) => relative(ROOT, file));
  return [...fullCoverage(register), ...files.map((file) => ({ file, engine: null, title: 'does its part', status: 'passed' as const }))];
}

const system: SystemUnderTest = {
  product: 'allograft-trace',
  version: '0.1.0',
  description: 'Allograft (placental tissue) inventory and traceability service',
  commit: '0123456789abcdef0123456789abcdef01234567',
  uncommittedChanges: [],
  node: 'v20.19.0',
  platform: 'linux',
  pglite: { package: '@electric-sql/pglite 0.5.16', version: 'PostgreSQL 18.6 (fixture)' },
  postgresql: { server: 'postgres@127.0.0.1:5432/postgres', version: 'PostgreSQL 15.20 (fixture)' },
  dependencies: [{ name: 'fastify', version: '5.12.8', kind: 'runtime' }],
};

const runRecord: RunRecord = {
  startedAt: '2026-11-24T09:00:00.000Z',
  commit: system.commit,
  uncommittedChanges: [],
  node: system.node,
  platform: system.platform,
  engines: ['pglite', 'postgresql'],
  postgresql: system.postgresql,
  pglite: system.pglite,
};

function reportOf(register: Register, tests: FixtureTest[]): Report {
  const results = parseResults(vitestJson(tests));
  return { generatedAt: new Date('2026-11-24T10:00:00Z'), register, system, run: results, evaluation: evaluate(register, results, { engines: ['pglite', 'postgresql'] }) };
}

async function pdfText(pdf: Buffer): Promise<string> {
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const document = await getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false }).promise;
  const pages: string[] = [];
  for (let n = 1; n <= document.numPages; n++) {
    const content = await (await document.getPage(n)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : '')).join(''));
  }
  await document.destroy();
  return pages.join('\n');
}

async function testSources(dir = join(ROOT, 'tests')): Promise<{ file: string; text: string }[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const files = entries.filter((e) => e.isFile() && e.name.endsWith('.test.ts')).map((e) => join(e.parentPath, e.name));
  return Promise.all(files.map(async (file) => ({ file, text: await readFile(file, 'utf8') })));
}

describe('the validation report', () => {
  let register: Register;
  let scratch: string;
  beforeAll(async () => {
    register = await loadRegister();
    scratch = await mkdtemp(join(tmpdir(), 'validation-report-'));
  });
  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('reads a register whose ids are unique and whose every clause in scope is answered or declined with a reason [REQ-VAL-01]', async () => {
    const ids = register.requirements.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(register.requirements.filter((r) => r.status === 'answered' && r.risk === 'high').length).toBeGreaterThan(20);
    for (const section of ['21 CFR 1271.290', '21 CFR 11.10(e)', '21 CFR 11.50', '2004/23/EC art. 11', 'ISBT 128 ST-001']) {
      expect(register.scope.map((s) => s.clause)).toContain(section);
    }
    // A copy that forgets a clause, or names a requirement twice, is refused with the reason.
    const source = await readFile(REGISTER_PATH, 'utf8');
    const forgetful = source.replace(/\n {2}- clause: 21 CFR 1271\.320\n.*\n.*\n/, '\n');
    expect(forgetful).not.toBe(source);
    expect(() => parseRegister(forgetful)).toThrow(/21 CFR 1271\.320 is answered by no requirement and not listed under not-answered/);
    const twice = source.replace('  - id: REQ-DONOR-02', '  - id: REQ-DONOR-01');
    expect(() => parseRegister(twice)).toThrow(RegisterError);
    expect(() => parseRegister(twice)).toThrow(/REQ-DONOR-01 appears twice/);
  });

  it('finds every tag in the test files in the register, and every high-risk requirement in force tagged in some test [REQ-VAL-01]', async () => {
    const inForce = new Set(register.requirements.filter((r) => r.status === 'answered').map((r) => r.id));
    const tagged = new Set<string>();
    for (const { file, text } of await testSources()) {
      for (const line of text.split('\n')) {
        for (const tag of tagsOf(line)) {
          expect(inForce.has(tag), `${file}: ${tag} is not a requirement in force`).toBe(true);
          tagged.add(tag);
        }
      }
    }
    const untagged = register.requirements.filter((r) => r.status === 'answered' && r.risk === 'high' && !tagged.has(r.id)).map((r) => r.id);
    expect(untagged).toEqual([]);
  });

  it('passes when every high-risk requirement in force is shown on both engines [REQ-VAL-01]', () => {
    const { evaluation } = reportOf(register, fullCoverage(register));
    expect(evaluation.problems).toEqual([]);
    expect(evaluation.requirements.filter((r) => r.requirement.status === 'answered').every((r) => r.state === 'shown')).toBe(true);
    expect(evaluation.requirements.filter((r) => r.requirement.status === 'planned').every((r) => r.state === 'planned')).toBe(true);
  });

  it('fails from the command line, naming the requirement, when its only test loses its tag [REQ-VAL-01]', async () => {
    const tests = (await wholeRun(register)).map((t) => (t.title.endsWith(tag('REQ-RELEASE-01')) ? { ...t, title: t.title.replace(` ${tag('REQ-RELEASE-01')}`, '') } : t));
    const results = join(scratch, 'untagged-results.json');
    const record = join(scratch, 'run-record.json');
    await writeFile(results, JSON.stringify(vitestJson(tests)));
    await writeFile(record, JSON.stringify(runRecord));
    const out = join(scratch, 'untagged');
    const failed = await run(process.execPath, ['--import', 'tsx', 'scripts/validation-report.ts', '--results', results, '--run-record', record, '--out', out], { cwd: ROOT }).then(
      () => null,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failed, 'the command should fail').not.toBeNull();
    expect(failed!.code).toBe(1);
    expect(failed!.stderr).toContain('The validation report FAILS');
    expect(failed!.stderr).toContain('REQ-RELEASE-01 (high risk) has no passing test on PGlite and PostgreSQL.');
    expect(failed!.stdout).toMatch(/PDF: .*validation-report\.pdf/);
    // The report is written all the same, with the gap in it, so that it can be read.
    const html = await readFile(join(out, 'validation-report.html'), 'utf8');
    expect(html).toContain('FAIL');
    expect(html).toContain('REQ-RELEASE-01 (high risk) has no passing test');

    // With the tag back, the same command passes.
    await writeFile(results, JSON.stringify(vitestJson(await wholeRun(register))));
    const passed = await run(process.execPath, ['--import', 'tsx', 'scripts/validation-report.ts', '--results', results, '--run-record', record, '--out', out], { cwd: ROOT });
    expect(passed.stdout).toContain('Validation report: PASS');
    // A run that left out a file of the suite is not evidence of the version.
    await writeFile(results, JSON.stringify(vitestJson((await wholeRun(register)).filter((t) => t.file !== 'tests/audit.test.ts'))));
    const partial = await run(process.execPath, ['--import', 'tsx', 'scripts/validation-report.ts', '--results', results, '--run-record', record, '--out', out], { cwd: ROOT }).catch((error: { stderr: string }) => error);
    expect(partial.stderr).toMatch(/The run left out 1 of the suite's \d+ test files \(tests\/audit\.test\.ts\): run the whole suite/);
  });

  it('fails for a failed test, a tag that names no requirement, a test only on one engine, and an engine the run had to cover [REQ-VAL-01]', () => {
    const tests = fullCoverage(register);
    const failing = tests.map((t) => (t.title.endsWith(tag('REQ-ELIG-01')) && t.engine === 'postgresql' ? { ...t, status: 'failed' as const } : t));
    expect(reportOf(register, failing).evaluation.problems).toEqual(
      expect.arrayContaining([`REQ-ELIG-01 (high risk) failed on PostgreSQL: "the chain on postgresql › shows req-elig-01 ${tag('REQ-ELIG-01')}".`, '1 test of the run failed.']),
    );
    const unknown = [...tests, { file: 'tests/fixture.test.ts', engine: 'pglite' as const, title: `does something ${tag('REQ-NOPE-01')}`, status: 'passed' as const }];
    expect(reportOf(register, unknown).evaluation.problems).toEqual([expect.stringContaining('is tagged REQ-NOPE-01, which is not in the register')]);
    const oneEngine = tests.filter((t) => !(t.title.endsWith(tag('REQ-AUDIT-02')) && t.engine === 'postgresql'));
    const partly = reportOf(register, oneEngine).evaluation;
    expect(partly.problems).toEqual(['REQ-AUDIT-02 (high risk) has no passing test on PostgreSQL.']);
    expect(partly.requirements.find((r) => r.requirement.id === 'REQ-AUDIT-02')!.state).toBe('partial');
    // A test that uses no database shows its requirement on every engine.
    const noDatabase = [...tests.filter((t) => !t.title.endsWith(tag('REQ-AUDIT-02'))), { file: 'tests/rules.test.ts', engine: null, title: `a pure rule ${tag('REQ-AUDIT-02')}`, status: 'passed' as const }];
    expect(reportOf(register, noDatabase).evaluation.problems).toEqual([]);
    const pgliteOnly = parseResults(vitestJson(tests.filter((t) => t.engine === 'pglite')));
    expect(evaluate(register, pgliteOnly, { engines: ['pglite'], requiredEngines: ['pglite', 'postgresql'] }).problems).toEqual(['The run did not cover PostgreSQL (set TEST_DATABASE_URL).']);
    // A malformed tag is refused outright.
    expect(() => tagsOf(`refuses something ${tag('REQ-release-1')}`)).toThrow(/is not a requirement tag/);
  });

  it('writes a PDF that, read back, names the version, every requirement id, the verdict and the signature lines [REQ-VAL-01]', async () => {
    const report = reportOf(register, fullCoverage(register));
    const pdf = await renderPdf(report);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = await pdfText(pdf);
    expect(text).toContain('Validation report');
    expect(text).toContain('allograft-trace 0.1.0');
    expect(text).toContain('0123456789ab');
    expect(text).toContain('PASS');
    expect(text).toContain('PostgreSQL 15.20 (fixture)');
    for (const r of register.requirements) expect(text, `${r.id} in the PDF`).toContain(r.id);
    for (const n of register.notAnswered) expect(text.replace(/\s+/g, ' '), `${n.clause} in the PDF`).toContain(n.clause);
    expect(text).toContain('Reviewer');
    expect(text).toContain('Approver');
    expect(text).toContain('Signature');
  });

  it.skipIf(!chromiumInstalled() && !process.env.CI)('opens the HTML in headless Chromium: every requirement id on the page, the verdict first, no error [REQ-VAL-01]', async () => {
    const report = reportOf(register, fullCoverage(register));
    const path = join(scratch, 'report.html');
    await writeFile(path, renderHtml(report));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 1556 } });
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`file://${path}`);
      expect(await page.title()).toBe('Validation report — allograft-trace 0.1.0');
      const text = await page.locator('body').innerText();
      for (const r of register.requirements) expect(text, `${r.id} on the page`).toContain(r.id);
      const verdict = page.locator('.verdict');
      expect(await verdict.innerText()).toMatch(/^PASS/);
      // The verdict is on the first screen, above the fold of an A4 page.
      const box = (await verdict.boundingBox())!;
      expect(box.y + box.height).toBeLessThan(1556);
      expect(await page.locator('.signatures tbody tr').count()).toBe(2);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
