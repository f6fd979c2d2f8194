// A small closed-loop HTTP load generator: N clients, each on its own keep-alive connection,
// send one request, read the whole answer, send the next, for a fixed time. No dependency but
// node:http, so that what it costs is plain and the same for every server it measures.
//
//   const r = await runLoad({ origin: 'http://127.0.0.1:3000', clients: 16, durationMs: 3000,
//     request: (i) => ({ path: `/units/${codes[i % codes.length]}`, headers: { authorization } }) });
//   r.throughput  // answers per second      r.p99  // ms
//
// A request factory may return a body (JSON-encoded, for writes); `expect` says which statuses
// count as answers (by default 2xx): anything else is counted in `failures` and left out of the
// throughput, and the first few are kept in `failureSamples` for the report.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface LoadRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
}

export interface LoadOptions {
  /** e.g. http://127.0.0.1:3000 */
  origin: string;
  clients: number;
  durationMs: number;
  /** The i-th request of the run (i counts across all clients), and the client sending it. */
  request: (i: number, client: number) => LoadRequest;
  /** Statuses that count as answered; default: 200–299. */
  expect?: (status: number) => boolean;
  /** Requests sent before timing starts, spread over the clients (default: 2 per client). */
  warmup?: number;
}

export interface LoadResult {
  clients: number;
  durationMs: number;
  /** Answers counted (expected statuses). */
  requests: number;
  failures: number;
  failureSamples: string[];
  /** Answers per second. */
  throughput: number;
  /** Latency percentiles of the answers, in ms. */
  p50: number;
  p99: number;
  max: number;
}

interface Answer {
  status: number;
  body: string;
}

function send(agent: http.Agent, origin: URL, req: LoadRequest): Promise<Answer> {
  const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
  const headers: Record<string, string | number> = { ...req.headers };
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(payload);
  }
  return new Promise((resolve, reject) => {
    const r = http.request(
      { agent, hostname: origin.hostname, port: origin.port, method: req.method ?? (payload === undefined ? 'GET' : 'POST'), path: req.path, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(payload);
  });
}

/** The q-quantile (0–1) of sorted values, nearest rank. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export const median = (values: number[]) => quantile([...values].sort((a, b) => a - b), 0.5);

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { clients, durationMs } = options;
  const expect = options.expect ?? ((s) => s >= 200 && s < 300);
  const origin = new URL(options.origin);
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients, maxFreeSockets: clients });
  let next = 0;
  const failureSamples: string[] = [];
  let failures = 0;
  const note = (what: string) => {
    failures++;
    if (failureSamples.length < 5) failureSamples.push(what.slice(0, 300));
  };

  try {
    // Warm-up: open the connections and let both sides reach their steady code paths.
    const warmup = options.warmup ?? clients * 2;
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        for (let k = c; k < warmup; k += clients) await send(agent, origin, options.request(next++, c)).catch(() => undefined);
      }),
    );

    const latencies: number[] = [];
    const started = performance.now();
    const deadline = started + durationMs;
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        while (performance.now() < deadline) {
          const req = options.request(next++, c);
          const t0 = performance.now();
          try {
            const answer = await send(agent, origin, req);
            if (expect(answer.status)) latencies.push(performance.now() - t0);
            else note(`${req.method ?? 'GET'} ${req.path}: ${answer.status} ${answer.body}`);
          } catch (error) {
            note(`${req.method ?? 'GET'} ${req.path}: ${(error as Error).message}`);
          }
        }
      }),
    );
    const elapsed = performance.now() - started;
    const sorted = Float64Array.from(latencies).sort();
    const round = (n: number) => Math.round(n * 100) / 100;
    return {
      clients,
      durationMs: Math.round(elapsed),
      requests: latencies.length,
      failures,
      failureSamples,
      throughput: Math.round((latencies.length / elapsed) * 1000),
      p50: round(quantile(sorted, 0.5)),
      p99: round(quantile(sorted, 0.99)),
      max: round(sorted.length ? sorted[sorted.length - 1]! : NaN),
    };
  } finally {
    agent.destroy();
  }
}
