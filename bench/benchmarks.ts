import { round, timed, type Benchmark } from './timing.ts';
import { traceAtScale } from './chain.ts';

/** A write with its audit event: the floor under every command. */
const auditedWrites: Benchmark = async (t) => {
  const sequential = 200;
  const seq = await timed(async () => {
    for (let i = 0; i < sequential; i++) await t.admin.post('/facilities', { kind: 'clinic', name: `Bench clinic ${i}` });
  });
  const concurrent = 200;
  const con = await timed(() =>
    Promise.all(Array.from({ length: concurrent }, (_, i) => t.admin.post('/facilities', { kind: 'clinic', name: `Bench burst ${i}` }))),
  );
  return [
    { name: `${sequential} sequential creates, mean latency`, value: round(seq.ms / sequential), unit: 'ms' },
    { name: `${concurrent} concurrent creates, throughput`, value: Math.round((concurrent / con.ms) * 1000), unit: 'writes/s' },
  ];
};

/** Recomputing the whole hash chain, as an auditor's verification does. */
const chainVerification: Benchmark = async (t) => {
  const { ms, result } = await timed(() => t.admin.get('/audit-events/verification'));
  const checked = result.json().eventsChecked as number;
  return [
    { name: `verify ${checked} events`, value: round(ms), unit: 'ms' },
    { name: 'verification rate', value: Math.round((checked / ms) * 1000), unit: 'events/s' },
  ];
};

export const benchmarks: Record<string, Benchmark> = {
  'audited writes': auditedWrites,
  'audit chain': chainVerification,
  traceability: traceAtScale,
};
