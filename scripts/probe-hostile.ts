// npm run probe:hostile: sends every value of the hostile-input probe list (tests/support/
// hostile-inputs.ts) in place of one field of every operation of the served OpenAPI document,
// plus hostile URLs, on a scratch PGlite database, and counts the answers by status class.
// Every error must be problem+json and nothing may answer 5xx.
import { allHostileValues, hostileUrls } from '../tests/support/hostile-inputs.ts';
import { buildWorld } from '../tests/support/fuzz-world.ts';
import { fieldsOf, operationsOf, requestFor, send } from '../tests/support/openapi-requests.ts';
import { startTestApp } from '../tests/support/test-app.ts';

const t = await startTestApp('pglite');
try {
  const world = await buildWorld(t);
  const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const operations = operationsOf(doc).filter((op) => !['/health', '/ready'].includes(op.path));
  const values = allHostileValues();
  const counts = { sent: 0, '2xx': 0, '4xx': 0, '5xx': 0, notProblemJson: 0 };
  const failures = new Map<string, number>();
  const record = (label: string, res: { statusCode: number; headers: Record<string, unknown> }) => {
    counts.sent++;
    const cls = `${Math.floor(res.statusCode / 100)}xx` as '2xx' | '4xx' | '5xx';
    if (cls in counts) counts[cls]++;
    if (res.statusCode >= 400 && !String(res.headers['content-type']).startsWith('application/problem+json')) counts.notProblemJson++;
    if (res.statusCode >= 500 || (res.statusCode >= 400 && !String(res.headers['content-type']).startsWith('application/problem+json'))) {
      failures.set(label, (failures.get(label) ?? 0) + 1);
    }
  };
  for (const op of operations) {
    const fields = fieldsOf(op);
    if (!fields.length) continue;
    // Each hostile value once per operation, in a field chosen in turn, so every field meets every class.
    for (const [i, { kind, value }] of values.entries()) {
      const field = fields[i % fields.length]!;
      const res = await send(t, requestFor(op, world, { field, value }));
      record(`${op.method} ${op.path} ${field.location}.${field.name} ${kind} (${res.statusCode})`, res);
    }
  }
  for (const path of ['/facilities', '/units', '/donors', '/audit-events']) {
    for (const url of hostileUrls(path)) record(`GET ${url.slice(0, 60)}`, await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${t.adminKey}` } }));
    for (const method of ['DELETE', 'PUT', 'PATCH'] as const) record(`${method} ${path}`, await t.app.inject({ method, url: path, headers: { authorization: `Bearer ${t.adminKey}` } }));
  }
  console.log(JSON.stringify(counts));
  for (const [label, n] of [...failures.entries()].sort()) console.log(`  ${n} × ${label}`);
} finally {
  await t.close();
}
