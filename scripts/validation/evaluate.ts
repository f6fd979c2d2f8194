// Which requirements the run shows, on which engine, and why the report passes or fails.
// A requirement is shown on an engine when it has at least one test there (or one that uses no
// database) and none of those tests failed. Every high-risk requirement in force must be shown on
// every engine of the run; a tag that names no requirement, a failed test, or an engine the run
// was required to cover and did not, also fail the report.
import type { Register, Requirement } from './register.ts';
import { ENGINE_NAMES, type Engine, type TestCase, type TestRun } from './results.ts';

export type EngineState = 'shown' | 'failed' | 'untested';
export type RequirementState = 'shown' | 'partial' | 'failed' | 'untested' | 'planned' | 'retired';

export interface RequirementResult {
  requirement: Requirement;
  tests: TestCase[];
  perEngine: Partial<Record<Engine, EngineState>>;
  state: RequirementState;
}

export interface Evaluation {
  engines: Engine[];
  requirements: RequirementResult[];
  /** Why the report fails; empty when it passes. */
  problems: string[];
  /** What a reader should know that does not fail the report. */
  notes: string[];
  /** Answered requirements that no test of the run shows (none may be high-risk). */
  withoutTest: RequirementResult[];
  untaggedTests: number;
}

function engineState(tests: TestCase[], engine: Engine): EngineState {
  const ran = tests.filter((t) => (t.engine === engine || t.engine === null) && t.outcome !== 'skipped');
  if (ran.length === 0) return 'untested';
  return ran.some((t) => t.outcome === 'failed') ? 'failed' : 'shown';
}

function stateOf(requirement: Requirement, perEngine: EngineState[]): RequirementState {
  if (requirement.status !== 'answered') return requirement.status;
  if (perEngine.includes('failed')) return 'failed';
  if (perEngine.every((s) => s === 'shown')) return 'shown';
  return perEngine.includes('shown') ? 'partial' : 'untested';
}

export interface EvaluateOptions {
  /** The engines the run covered. */
  engines: Engine[];
  /** Engines the run must have covered. */
  requiredEngines?: Engine[];
  /** The test files of the suite: a run that left one out is not evidence of the version. */
  suiteFiles?: string[];
}

export function evaluate(register: Register, run: TestRun, options: EvaluateOptions): Evaluation {
  const { engines } = options;
  const problems: string[] = [];
  const notes: string[] = [];
  const ran = new Set(run.files.map((f) => f.file));
  const left = (options.suiteFiles ?? []).filter((file) => !ran.has(file));
  if (left.length) {
    problems.push(`The run left out ${left.length} of the suite's ${options.suiteFiles!.length} test files (${left.join(', ')}): run the whole suite (npm test).`);
  }
  for (const required of options.requiredEngines ?? []) {
    if (!engines.includes(required)) problems.push(`The run did not cover ${ENGINE_NAMES[required]}${required === 'postgresql' ? ' (set TEST_DATABASE_URL)' : ''}.`);
  }
  if (engines.length === 0) problems.push('The run covered no database engine.');

  const byId = new Map(register.requirements.map((r) => [r.id, r]));
  for (const test of run.tests) {
    for (const tag of test.tags) {
      const requirement = byId.get(tag);
      if (!requirement) problems.push(`${test.file}: "${test.name}" is tagged ${tag}, which is not in the register.`);
      else if (requirement.status === 'retired') problems.push(`${test.file}: "${test.name}" is tagged ${tag}, which is retired.`);
    }
  }

  const requirements = register.requirements.map((requirement): RequirementResult => {
    const tests = run.tests.filter((t) => t.tags.includes(requirement.id));
    const perEngine = Object.fromEntries(engines.map((e) => [e, engineState(tests, e)])) as Partial<Record<Engine, EngineState>>;
    return { requirement, tests, perEngine, state: stateOf(requirement, engines.map((e) => perEngine[e]!)) };
  });
  for (const r of requirements) {
    if (r.requirement.status === 'planned' && r.tests.length) {
      notes.push(`${r.requirement.id} is planned (issue #${r.requirement.issue}) but ${r.tests.length} test${r.tests.length === 1 ? '' : 's'} name it: once the issue is delivered, mark it answered in the register.`);
    }
  }

  for (const r of requirements) {
    if (r.requirement.status !== 'answered' || r.requirement.risk !== 'high') continue;
    const untested = engines.filter((e) => r.perEngine[e] === 'untested').map((e) => ENGINE_NAMES[e]);
    if (untested.length) problems.push(`${r.requirement.id} (high risk) has no passing test on ${untested.join(' and ')}.`);
    for (const engine of engines.filter((e) => r.perEngine[e] === 'failed')) {
      const failed = r.tests.filter((t) => t.outcome === 'failed' && (t.engine === engine || t.engine === null)).map((t) => `"${t.name}"`);
      problems.push(`${r.requirement.id} (high risk) failed on ${ENGINE_NAMES[engine]}: ${failed.join(', ')}.`);
    }
  }
  if (run.counts.failed > 0) problems.push(`${run.counts.failed} test${run.counts.failed === 1 ? '' : 's'} of the run failed.`);
  for (const file of run.files) {
    if (file.outcome === 'failed' && !run.tests.some((t) => t.file === file.file && t.outcome === 'failed')) {
      problems.push(`${file.file} did not run: ${file.message ?? 'the file failed before its tests'}.`);
    }
  }

  return {
    engines,
    requirements,
    problems: [...new Set(problems)],
    notes,
    withoutTest: requirements.filter((r) => r.requirement.status === 'answered' && r.state === 'untested'),
    untaggedTests: run.tests.filter((t) => t.tags.length === 0).length,
  };
}
