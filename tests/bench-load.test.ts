// The bench's load generator (bench/load.ts) counts what it should: answers with the expected
// status, failures apart (with samples), percentiles by nearest rank, bodies sent as JSON.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { median, quantile, runLoad } from '../bench/load.ts';

describe('the bench load generator', () => {
  let server: http.Server;
  let origin: string;
  const seen: { method: string; url: string; body: string }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, body });
        const fail = req.url!.includes('fail');
        res.writeHead(fail ? 503 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: !fail }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('runs N clients for the time given and reports throughput and percentiles of the answers', async () => {
    const r = await runLoad({ origin, clients: 4, durationMs: 300, request: (i) => ({ path: i % 5 === 4 ? `/fail/${i}` : `/ok/${i}` }) });
    expect(r.clients).toBe(4);
    expect(r.durationMs).toBeGreaterThanOrEqual(300);
    expect(r.requests).toBeGreaterThan(0);
    expect(r.failures).toBeGreaterThan(0);
    expect(r.failureSamples[0]).toMatch(/^GET \/fail\/\d+: 503/);
    // durationMs is rounded to the millisecond; throughput comes from the exact time.
    expect(Math.abs(r.throughput - (r.requests / r.durationMs) * 1000)).toBeLessThanOrEqual(1 + r.throughput * 0.005);
    expect(r.p50).toBeLessThanOrEqual(r.p99);
    expect(r.p99).toBeLessThanOrEqual(r.max);
  });

  it('sends a request body as JSON, and counts the statuses it is told to expect', async () => {
    seen.length = 0;
    const r = await runLoad({
      origin,
      clients: 2,
      durationMs: 100,
      warmup: 0,
      request: (i) => ({ path: '/fail/write', body: { n: i } }),
      expect: (status) => status === 503,
    });
    expect(r.failures).toBe(0);
    expect(r.requests).toBeGreaterThan(0);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/fail/write' });
    expect(JSON.parse(seen[0]!.body)).toHaveProperty('n');
  });

  it('takes quantiles by nearest rank', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(quantile(sorted, 0.5)).toBe(5);
    expect(quantile(sorted, 0.99)).toBe(10);
    expect(quantile(sorted, 0)).toBe(1);
    expect(median([3, 1, 2])).toBe(2);
    expect(quantile([], 0.5)).toBeNaN();
  });
});
