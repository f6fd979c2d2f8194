// npm run bench: prints speed and memory figures on embedded PGlite, and on PostgreSQL when
// BENCH_DATABASE_URL (or TEST_DATABASE_URL) names a server. Figures, not pass/fail: targets
// are judged by people reading them, never by timed unit tests.
import { engines } from '../tests/support/engines.ts';
import { startTestApp } from '../tests/support/test-app.ts';
import { benchmarks } from './benchmarks.ts';

if (process.env.BENCH_DATABASE_URL) process.env.TEST_DATABASE_URL = process.env.BENCH_DATABASE_URL;

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

for (const engine of engines) {
  const t = await startTestApp(engine);
  try {
    console.log(`\n== ${engine}`);
    for (const [name, bench] of Object.entries(benchmarks)) {
      for (const f of await bench(t)) console.log(`${`${name}: ${f.name}`.padEnd(62)} ${String(f.value).padStart(10)} ${f.unit}`);
    }
    const memory = process.memoryUsage();
    console.log(`${'memory: rss / heap used after the run'.padEnd(62)} ${String(mb(memory.rss)).padStart(10)} / ${mb(memory.heapUsed)} MiB`);
  } finally {
    await t.close();
  }
}
process.exit(0);
