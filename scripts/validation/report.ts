// The report's content, computed once and rendered twice (HTML and PDF): verdict, system, run,
// summary by risk class, the traceability matrix, gaps, planned work, clauses not answered, and
// the clause index.
import { clauseWithin, RISKS, type Register, type Risk } from './register.ts';
import type { Evaluation, RequirementResult, RequirementState } from './evaluate.ts';
import { ENGINE_NAMES, type Engine, type Outcome, type TestCase, type TestRun } from './results.ts';
import type { SystemUnderTest } from './system.ts';

export interface Report {
  generatedAt: Date;
  register: Register;
  system: SystemUnderTest;
  run: TestRun;
  evaluation: Evaluation;
}

export const STATE_LABELS: Record<RequirementState, string> = {
  shown: 'shown',
  partial: 'not shown on every engine',
  failed: 'FAILED',
  untested: 'no test',
  planned: 'planned',
  retired: 'retired',
};

export const verdictOf = (report: Report) => (report.evaluation.problems.length === 0 ? 'PASS' : 'FAIL');

export const PURPOSE = [
  'This report is the executable part of the validation of the allograft tissue traceability service for its intended use (21 CFR 11.10(a); 21 CFR 1271.160(d)). ' +
    'npm run validation-report produced it from the requirements register (validation/requirements.yaml) and the results of the automated test suite, run on the commit and database engines named below.',
  'The effort is risk-based, as FDA\u2019s Computer Software Assurance guidance and GAMP 5 ask: each requirement carries a risk class; every high-risk requirement in force must be shown by at least one automated test on each database engine of the run, and the report fails otherwise. ' +
    'A requirement is shown on an engine when at least one of its tests ran there (or uses no database) and none of them failed.',
  'It does not replace what stays the bank\u2019s: the installation, operational and performance qualification of its own site, its procedures (SOPs), its own user requirements, and the review and approval below.',
];

export function shortCommit(system: SystemUnderTest): string {
  if (!system.commit) return 'unknown (not a git checkout)';
  const dirty = system.uncommittedChanges.length;
  return `${system.commit.slice(0, 12)}${dirty ? ` with ${dirty} uncommitted change${dirty === 1 ? '' : 's'}` : ''}`;
}

export const formatInstant = (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export interface SummaryRow {
  risk: Risk;
  inForce: number;
  shown: number;
  notShown: number;
  withoutTest: number;
  planned: number;
}

export function summaryByRisk(evaluation: Evaluation): SummaryRow[] {
  return RISKS.map((risk) => {
    const of = evaluation.requirements.filter((r) => r.requirement.risk === risk);
    const inForce = of.filter((r) => r.requirement.status === 'answered');
    return {
      risk,
      inForce: inForce.length,
      shown: inForce.filter((r) => r.state === 'shown').length,
      notShown: inForce.filter((r) => r.state === 'partial' || r.state === 'failed').length,
      withoutTest: inForce.filter((r) => r.state === 'untested').length,
      planned: of.filter((r) => r.requirement.status === 'planned').length,
    };
  });
}

/** One row per test, its engines side by side: "… on pglite" and "… on postgresql" are one test. */
export interface TestRow {
  file: string;
  label: string;
  results: Partial<Record<Engine | 'none', Outcome>>;
  failure?: string;
}

export const labelOf = (test: TestCase) => test.name.replace(/ on (pglite|postgresql)\b/gi, '');

export function testRows(tests: TestCase[]): TestRow[] {
  const rows = new Map<string, TestRow>();
  for (const test of tests) {
    const label = labelOf(test);
    const key = `${test.file}\u0000${label}`;
    const row = rows.get(key) ?? { file: test.file, label, results: {} };
    row.results[test.engine ?? 'none'] = test.outcome;
    if (test.failure && !row.failure) row.failure = test.failure;
    rows.set(key, row);
  }
  return [...rows.values()];
}

export const OUTCOME_LABELS: Record<Outcome, string> = { passed: 'passed', failed: 'FAILED', skipped: 'skipped' };

/** Columns of the results: each engine of the run, and "no database" when a test uses none. */
export function resultColumns(report: Report, rows: TestRow[]): { key: Engine | 'none'; title: string }[] {
  const columns: { key: Engine | 'none'; title: string }[] = report.evaluation.engines.map((e) => ({ key: e, title: ENGINE_NAMES[e] }));
  if (rows.some((r) => r.results.none)) columns.push({ key: 'none', title: 'No database' });
  return columns;
}

export interface ClauseEntry {
  clause: string;
  title: string;
  requirements: string[];
  notAnswered: string[];
}

export function clauseIndex(register: Register): ClauseEntry[] {
  return register.scope.map(({ clause, title }) => ({
    clause,
    title,
    requirements: register.requirements.filter((r) => r.status !== 'retired' && r.clauses.some((c) => clauseWithin(c, clause))).map((r) => r.id),
    notAnswered: register.notAnswered.filter((n) => clauseWithin(n.clause, clause)).map((n) => n.clause),
  }));
}

export const inForce = (report: Report): RequirementResult[] => report.evaluation.requirements.filter((r) => r.requirement.status === 'answered');
export const planned = (report: Report): RequirementResult[] => report.evaluation.requirements.filter((r) => r.requirement.status === 'planned');

export function engineLine(report: Report): string {
  const { engines } = report.evaluation;
  const missing = (['pglite', 'postgresql'] as Engine[]).filter((e) => !engines.includes(e)).map((e) => `${ENGINE_NAMES[e]} not run`);
  return [engines.map((e) => ENGINE_NAMES[e]).join(' and '), ...missing].filter(Boolean).join('; ');
}
