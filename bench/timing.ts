import { performance } from 'node:perf_hooks';
import type { TestApp } from '../tests/support/test-app.ts';

export interface Figure {
  name: string;
  value: number;
  unit: string;
}

export type Benchmark = (t: TestApp) => Promise<Figure[]>;

export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await work();
  return { ms: performance.now() - start, result };
}

export const round = (n: number) => Math.round(n * 10) / 10;
