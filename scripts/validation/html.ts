// The report as one self-contained HTML page (no script, no external resource), readable on screen
// and printable on A4.
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
  type Report,
} from './report.ts';
import { ENGINE_NAMES } from './results.ts';

const escape = (value: unknown) =>
  String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `
  @page { size: A4; margin: 16mm 14mm; }
  body { font: 10.5pt/1.45 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #1d2430; margin: 0 auto; max-width: 1100px; padding: 24px 32px 48px; }
  h1 { font-size: 21pt; margin: 0 0 4px; }
  h2 { font-size: 13.5pt; margin: 28px 0 8px; border-bottom: 2px solid #1d2430; padding-bottom: 3px; break-after: avoid; }
  h3 { font-size: 11pt; margin: 0; }
  .subtitle { color: #4a5566; margin: 0 0 14px; }
  table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; }
  th, td { border: 1px solid #c5ccd6; padding: 4px 7px; vertical-align: top; text-align: left; }
  th { background: #eef1f5; font-weight: 600; }
  td.num, th.num { text-align: right; }
  .facts th { width: 28%; }
  .verdict { border: 3px solid; padding: 10px 16px; margin: 12px 0 6px; border-radius: 4px; }
  .verdict.pass { border-color: #1f7a3a; background: #eaf6ee; }
  .verdict.fail { border-color: #b3261e; background: #fbeceb; }
  .verdict strong { font-size: 15pt; }
  .verdict ul { margin: 6px 0 0; padding-left: 20px; }
  .req { border: 1px solid #c5ccd6; border-radius: 4px; padding: 8px 12px; margin: 10px 0; break-inside: avoid; }
  .req .head { display: flex; gap: 12px; align-items: baseline; flex-wrap: wrap; }
  .req .id { font-weight: 700; font-family: "DejaVu Sans Mono", Menlo, monospace; }
  .req p { margin: 4px 0; }
  .meta { color: #4a5566; font-size: 9.5pt; }
  .badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 9pt; font-weight: 600; }
  .risk-high { background: #fde2e0; color: #8c1d16; }
  .risk-medium { background: #fff1d6; color: #7a4b00; }
  .risk-low { background: #e6eef8; color: #24456e; }
  .state-shown, .o-passed { color: #1f7a3a; font-weight: 600; }
  .state-failed, .state-partial, .state-untested, .o-failed { color: #b3261e; font-weight: 600; }
  .o-skipped, .o-none { color: #6b7685; }
  .req table { font-size: 9.5pt; }
  .file { font-family: "DejaVu Sans Mono", Menlo, monospace; font-size: 8.5pt; color: #4a5566; }
  .signatures { margin-top: 18px; break-inside: avoid; }
  .signatures td { height: 44px; }
  .mono { font-family: "DejaVu Sans Mono", Menlo, monospace; }
`;

function verdictBlock(report: Report): string {
  const { problems, engines } = report.evaluation;
  const highs = inForce(report).filter((r) => r.requirement.risk === 'high');
  if (problems.length === 0) {
    return `<div class="verdict pass"><strong>PASS</strong> &mdash; every one of the ${highs.length} high-risk requirements in force is shown on ${escape(engines.map((e) => ENGINE_NAMES[e]).join(' and '))}; ${report.run.counts.passed} tests passed, none failed.</div>`;
  }
  return `<div class="verdict fail"><strong>FAIL</strong> &mdash; the version is not shown fit for use: ${problems.length} problem${problems.length === 1 ? '' : 's'}.<ul>${problems.map((p) => `<li>${escape(p)}</li>`).join('')}</ul></div>`;
}

function systemSection(report: Report): string {
  const s = report.system;
  const rows: [string, string][] = [
    ['Product', `${s.product} ${s.version} — ${s.description}`],
    ['Commit', shortCommit(s) + (s.commit ? ` (${s.commit})` : '')],
    ['Runtime', `Node.js ${s.node} on ${s.platform}`],
    ['Embedded engine', `${s.pglite.version} (${s.pglite.package})`],
    ['PostgreSQL server', s.postgresql ? `${s.postgresql.version} at ${s.postgresql.server}` : 'not used in this run'],
  ];
  const facts = rows.map(([k, v]) => `<tr><th>${escape(k)}</th><td>${escape(v)}</td></tr>`).join('');
  const deps = s.dependencies.map((d) => `<tr><td class="mono">${escape(d.name)}</td><td class="mono">${escape(d.version)}</td><td>${escape(d.kind)}</td></tr>`).join('');
  const changes = s.uncommittedChanges.length ? `<p class="meta">Uncommitted changes at the run: ${escape(s.uncommittedChanges.join(', '))}</p>` : '';
  return `<h2>3. System under test</h2><table class="facts">${facts}</table>${changes}
    <table><thead><tr><th>Dependency</th><th>Installed version</th><th>Kind</th></tr></thead><tbody>${deps}</tbody></table>`;
}

function runSection(report: Report): string {
  const { run } = report;
  const rows: [string, string][] = [
    ['Started', formatInstant(run.startedAt)],
    ['Duration', `${Math.round(run.durationMs / 1000)} s`],
    ['Engines', engineLine(report)],
    ['Test files', String(run.files.length)],
    ['Tests', `${run.counts.total}: ${run.counts.passed} passed, ${run.counts.failed} failed, ${run.counts.skipped} skipped`],
    ['Tests naming a requirement', `${run.counts.total - report.evaluation.untaggedTests} of ${run.counts.total}`],
  ];
  return `<h2>4. Test run</h2><table class="facts">${rows.map(([k, v]) => `<tr><th>${escape(k)}</th><td>${escape(v)}</td></tr>`).join('')}</table>`;
}

function summarySection(report: Report): string {
  const rows = summaryByRisk(report.evaluation)
    .map((r) => `<tr><td><span class="badge risk-${r.risk}">${r.risk}</span></td><td class="num">${r.inForce}</td><td class="num">${r.shown}</td><td class="num">${r.notShown}</td><td class="num">${r.withoutTest}</td><td class="num">${r.planned}</td></tr>`)
    .join('');
  const classes = (['high', 'medium', 'low'] as const).map((k) => `<li><b>${k}</b>: ${escape(report.register.riskClasses[k])}</li>`).join('');
  return `<h2>1. Requirements by risk class</h2>
    <table><thead><tr><th>Risk</th><th class="num">In force</th><th class="num">Shown on every engine</th><th class="num">Failed or partly shown</th><th class="num">Without a test</th><th class="num">Planned, not in this version</th></tr></thead><tbody>${rows}</tbody></table>
    <ul class="meta">${classes}</ul>`;
}

function gapsSection(report: Report): string {
  const gaps = report.evaluation.withoutTest;
  const body = gaps.length
    ? `<table><thead><tr><th>Requirement</th><th>Risk</th><th>Clauses</th><th>Requirement</th></tr></thead><tbody>${gaps
        .map((g) => `<tr><td class="mono">${escape(g.requirement.id)}</td><td><span class="badge risk-${g.requirement.risk}">${g.requirement.risk}</span></td><td>${escape(g.requirement.clauses.join('; '))}</td><td>${escape(g.requirement.requirement)}</td></tr>`)
        .join('')}</tbody></table>`
    : '<p>Every requirement in force has at least one test in this run.</p>';
  return `<h2>5. Requirements without a test</h2>${body}`;
}

function requirementBlock(report: Report, r: Report['evaluation']['requirements'][number]): string {
  const q = r.requirement;
  const rows = testRows(r.tests);
  const columns = resultColumns(report, rows);
  const engines = Object.entries(r.perEngine)
    .map(([e, s]) => `${ENGINE_NAMES[e as keyof typeof ENGINE_NAMES]}: ${s}`)
    .join(' · ');
  const tests = rows.length
    ? `<table><thead><tr><th>Test</th>${columns.map((c) => `<th>${escape(c.title)}</th>`).join('')}</tr></thead><tbody>${rows
        .map(
          (row) =>
            `<tr><td>${escape(row.label)}<div class="file">${escape(row.file)}</div>${row.failure ? `<div class="o-failed">${escape(row.failure)}</div>` : ''}</td>${columns
              .map((c) => {
                const o = row.results[c.key];
                return `<td class="o-${o ?? 'none'}">${o ? OUTCOME_LABELS[o] : '&mdash;'}</td>`;
              })
              .join('')}</tr>`,
        )
        .join('')}</tbody></table>`
    : '<p class="meta">No test names this requirement.</p>';
  return `<div class="req" id="${escape(q.id)}"><div class="head"><h3 class="id">${escape(q.id)}</h3><span class="badge risk-${q.risk}">${q.risk} · ${escape(q.impact)}</span><span class="state-${r.state}">${escape(STATE_LABELS[r.state])}</span></div>
    <p>${escape(q.requirement)}</p>
    <p class="meta"><b>Clauses:</b> ${escape(q.clauses.join('; '))} &nbsp; <b>Feature:</b> ${escape(q.feature)}${q.issue ? ` &nbsp; <b>Issue:</b> #${q.issue}` : ''}${engines ? ` &nbsp; <b>Engines:</b> ${escape(engines)}` : ''}</p>
    ${q.status === 'answered' ? tests : ''}</div>`;
}

function notAnsweredSection(report: Report): string {
  const rows = report.register.notAnswered.map((n) => `<tr><td class="mono">${escape(n.clause)}</td><td>${escape(n.kind)}</td><td>${escape(n.why)}</td></tr>`).join('');
  return `<h2>8. Clauses the service does not answer</h2><table><thead><tr><th>Clause</th><th>Whose</th><th>Why</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function clauseSection(report: Report): string {
  const rows = clauseIndex(report.register)
    .map((c) => `<tr><td class="mono">${escape(c.clause)}</td><td>${escape(c.title)}</td><td class="mono">${escape(c.requirements.join(', ') || '—')}</td><td class="mono">${escape(c.notAnswered.join(', ') || '—')}</td></tr>`)
    .join('');
  return `<h2>9. Clause index</h2><table><thead><tr><th>Clause</th><th>Subject</th><th>Requirements</th><th>Not answered (see 8)</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const SIGNATURES = `<h2>10. Review and approval by the bank</h2>
  <p>Reviewed and approved as evidence of the service's validation for the bank's intended use, together with the bank's own qualification of its installation.</p>
  <table class="signatures"><thead><tr><th style="width:18%">Role</th><th>Name</th><th>Signature</th><th style="width:18%">Date</th></tr></thead>
  <tbody><tr><td>Reviewer</td><td></td><td></td><td></td></tr><tr><td>Approver</td><td></td><td></td><td></td></tr></tbody></table>`;

export function renderHtml(report: Report): string {
  const { system, register } = report;
  const current = inForce(report);
  const upcoming = planned(report);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Validation report — ${escape(system.product)} ${escape(system.version)}</title><style>${STYLE}</style></head>
<body>
<h1>Validation report</h1>
<p class="subtitle">${escape(register.title.replace(/^Requirements register, /, ''))} &middot; ${escape(system.product)} ${escape(system.version)} &middot; commit ${escape(shortCommit(system))}<br>
Generated ${escape(formatInstant(report.generatedAt))} from the test run of ${escape(formatInstant(report.run.startedAt))} (${escape(engineLine(report))})</p>
${verdictBlock(report)}
${report.evaluation.notes.map((n) => `<p class="meta">Note: ${escape(n)}</p>`).join('')}
${summarySection(report)}
<h2>2. Purpose and approach</h2>${PURPOSE.map((p) => `<p>${escape(p)}</p>`).join('')}
${systemSection(report)}
${runSection(report)}
${gapsSection(report)}
<h2>6. Requirements and the tests that show them</h2>
${current.map((r) => requirementBlock(report, r)).join('\n')}
<h2>7. Planned requirements, not part of this version</h2>
<p>Being built under the issues named; do not rely on them until a later report lists them as shown.</p>
${upcoming.map((r) => requirementBlock(report, r)).join('\n')}
${notAnsweredSection(report)}
${clauseSection(report)}
${SIGNATURES}
</body></html>
`;
}
