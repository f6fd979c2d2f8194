// The requirements register (validation/requirements.yaml): read, checked, and asked which clause
// each requirement answers. A malformed register stops the report with one line per problem.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';

export const REGISTER_PATH = new URL('../../validation/requirements.yaml', import.meta.url);

export const RISKS = ['high', 'medium', 'low'] as const;
export type Risk = (typeof RISKS)[number];

const requirementId = z.string().regex(/^REQ-[A-Z]+-\d{2}$/, 'must look like REQ-AREA-01');
const text = z.string().trim().min(1);

const requirementSchema = z
  .object({
    id: requirementId,
    clauses: z.array(text).min(1),
    requirement: text,
    risk: z.enum(RISKS),
    impact: z.enum(['patient safety', 'product quality', 'data integrity']),
    feature: text,
    status: z.enum(['answered', 'planned', 'retired']),
    issue: z.number().int().positive().optional(),
  })
  .strict()
  .refine((r) => (r.status === 'planned') === (r.issue !== undefined), { message: 'a planned requirement names its issue, and only a planned one', path: ['issue'] });

const registerSchema = z
  .object({
    title: text,
    product: text,
    'risk-classes': z.object({ high: text, medium: text, low: text }).strict(),
    scope: z.array(z.object({ clause: text, title: text }).strict()).min(1),
    requirements: z.array(requirementSchema).min(1),
    'not-answered': z.array(z.object({ clause: text, why: text, kind: z.enum(['bank procedure', 'outside scope']) }).strict()),
  })
  .strict();

export type Requirement = z.infer<typeof requirementSchema>;
export type NotAnswered = z.infer<typeof registerSchema>['not-answered'][number];
export interface Register {
  title: string;
  product: string;
  riskClasses: Record<Risk, string>;
  scope: { clause: string; title: string }[];
  requirements: Requirement[];
  notAnswered: NotAnswered[];
}

export class RegisterError extends Error {
  constructor(readonly problems: string[]) {
    super(`The requirements register is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Does `clause` (e.g. "21 CFR 1271.290(c)") fall under the scope entry `section` (e.g. "21 CFR 1271.290")? */
export function clauseWithin(clause: string, section: string): boolean {
  return clause === section || clause.startsWith(`${section}(`) || clause.startsWith(`${section} `);
}

export function parseRegister(source: string): Register {
  const parsed = registerSchema.safeParse(parse(source));
  if (!parsed.success) {
    throw new RegisterError(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`));
  }
  const data = parsed.data;
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const r of data.requirements) {
    if (seen.has(r.id)) problems.push(`${r.id} appears twice`);
    seen.add(r.id);
  }
  const sections = data.scope.map((s) => s.clause);
  const outOfScope = (clause: string) => !sections.some((section) => clauseWithin(clause, section));
  for (const r of data.requirements) {
    for (const clause of r.clauses) if (outOfScope(clause)) problems.push(`${r.id} cites ${clause}, which no scope entry covers`);
  }
  for (const n of data['not-answered']) if (outOfScope(n.clause)) problems.push(`not-answered ${n.clause} is under no scope entry`);
  for (const section of sections) {
    const answered = data.requirements.some((r) => r.status !== 'retired' && r.clauses.some((c) => clauseWithin(c, section)));
    const declined = data['not-answered'].some((n) => clauseWithin(n.clause, section));
    if (!answered && !declined) problems.push(`${section} is answered by no requirement and not listed under not-answered`);
  }
  if (problems.length) throw new RegisterError(problems);
  return {
    title: data.title,
    product: data.product,
    riskClasses: data['risk-classes'],
    scope: data.scope,
    requirements: data.requirements,
    notAnswered: data['not-answered'],
  };
}

export async function loadRegister(path: string | URL = REGISTER_PATH): Promise<Register> {
  return parseRegister(await readFile(path, 'utf8'));
}
