// npm run probe:hostile: sends every value of the hostile-input probe list (tests/support/
// hostile-inputs.ts) in place of one field of every operation of the served OpenAPI document,
// plus hostile URLs, on a scratch PGlite database, and counts the answers by status class.
// Every error must be problem+json and nothing may answer 5xx.
import { allHostileValues, hostileUrls } from '../tests/support/hostile-inputs.ts';
import { buildWorld } from '../tests/support/fuzz-world.ts';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { fieldsOf, operationsOf, requestFor, type RequestSpec } from '../tests/support/openapi-requests.ts';
import { startTestApp } from '../tests/support/test-app.ts';

const t = await startTestApp('pglite');
try {
  const world = await buildWorld(t);
  const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const operations = operationsOf(doc).filter((op) => !['/health', '/ready'].includes(op.path));
  const values = allHostileValues();
  // The callback form of inject is not held to the contract: the probe counts breaches instead of stopping.
  const inject = (options: InjectOptions) =>
    new Promise<LightMyRequestResponse>((resolve, reject) => t.app.inject(options, (error, res) => (error ? reject(error) : resolve(res!))));
  const send = (spec: RequestSpec) =>
    inject({
      method: spec.method as 'GET',
      url: spec.url,
      headers: { authorization: `Bearer ${t.adminKey}`, ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(spec.body === undefined ? {} : { payload: JSON.stringify(spec.body) }),
    });
  const contract = (t as { contract?: { problems(o: object): string[] } }).contract;
  const counts = { sent: 0, '2xx': 0, '4xx': 0, '5xx': 0, notProblemJson: 0, contractBreaches: 0 };
  const failures = new Map<string, number>();
  const record = (label: string, res: LightMyRequestResponse, method = label.split(' ')[0]!, url = label.split(' ')[1]!) => {
    counts.sent++;
    if (contract?.problems({ method, url, statusCode: res.statusCode, contentType: res.headers['content-type'] as string | undefined, body: res.body }).length) {
      counts.contractBreaches++;
      failures.set(`contract: ${label}`, (failures.get(`contract: ${label}`) ?? 0) + 1);
    }
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
      const spec = requestFor(op, world, { field, value });
      const res = await send(spec);
      record(`${op.method} ${op.path} ${field.location}.${field.name} ${kind} (${res.statusCode})`, res, spec.method, spec.url);
    }
  }
  for (const path of ['/facilities', '/units', '/donors', '/audit-events']) {
    for (const url of hostileUrls(path)) record(`GET ${url.slice(0, 60)}`, await inject({ method: 'GET', url, headers: { authorization: `Bearer ${t.adminKey}` } }), 'GET', url);
    for (const method of ['DELETE', 'PUT', 'PATCH'] as const) record(`${method} ${path}`, await inject({ method, url: path, headers: { authorization: `Bearer ${t.adminKey}` } }), method, path);
  }
  console.log(JSON.stringify(counts));
  for (const [label, n] of [...failures.entries()].sort()) console.log(`  ${n} × ${label}`);
} finally {
  await t.close();
}
