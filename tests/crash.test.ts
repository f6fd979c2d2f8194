// Keep it true under a crash: concurrent writers, kill -9 of the server process mid-load,
// restart on the same database, and every acknowledged write is there and the audit trail
// verifies. On both engines; also `npm run test:crash`. Bounded: CRASH_ROUNDS rounds (default 2)
// of about CRASH_LOAD_MS of load (default 1500).
import { afterAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../src/domain/auth/api-keys.ts';
import { engines, scratchDatabase, type ScratchDatabase } from './support/engines.ts';
import { databaseEnv, killHard, startService, type ServiceProcess } from './support/service-process.ts';

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 2);
const LOAD_MS = Number(process.env.CRASH_LOAD_MS ?? 1500);
const WRITERS = 6;

interface Acknowledged {
  kind: 'facility' | 'patient';
  id: string;
}

/** Writers that create facilities and patients as fast as answers come, until stopped; keeps every 201. */
function load(service: ServiceProcess, key: string, round: number, clinicId: string) {
  const acknowledged: Acknowledged[] = [];
  let stopped = false;
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const writer = async (w: number) => {
    for (let i = 0; !stopped; i++) {
      const patient = i % 2 === 1;
      const body = patient ? { medicalRecordNumber: `CR-${round}-${w}-${i}`, facilityId: clinicId } : { kind: 'clinic', name: `Crash ${round}-${w}-${i}` };
      try {
        const res = await fetch(`${service.url}${patient ? '/patients' : '/facilities'}`, { method: 'POST', headers, body: JSON.stringify(body) });
        if (res.status === 201) acknowledged.push({ kind: patient ? 'patient' : 'facility', id: (await res.json()).id });
      } catch {
        // The process died under this request: it was never acknowledged.
      }
    }
  };
  const running = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
  return { acknowledged, stop: async () => ((stopped = true), await running) };
}

describe.each(engines)('a crash under load on %s', (engine) => {
  let scratch: ScratchDatabase | undefined;
  let service: ServiceProcess | undefined;
  afterAll(async () => {
    if (service) await killHard(service);
    await scratch?.drop();
  });

  it(`keeps every acknowledged write and an intact audit trail across ${ROUNDS} kill -9 rounds`, async () => {
    scratch = await scratchDatabase(engine);
    const key = generateApiKey();
    const env = { ...databaseEnv(scratch.target), BOOTSTRAP_ADMIN_KEY: key };
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const all: Acknowledged[] = [];
    service = await startService(env);
    const clinic = await (await fetch(`${service.url}/facilities`, { method: 'POST', headers, body: JSON.stringify({ kind: 'clinic', name: 'Crash clinic' }) })).json();

    for (let round = 1; round <= ROUNDS; round++) {
      const writers = load(service, key, round, clinic.id);
      await new Promise((r) => setTimeout(r, LOAD_MS));
      await killHard(service); // mid-load: requests are in flight
      await writers.stop();
      expect(writers.acknowledged.length, `round ${round} acknowledged nothing before the kill`).toBeGreaterThan(0);
      all.push(...writers.acknowledged);

      service = await startService(env);
      for (const { kind, id } of all) {
        const res = await fetch(`${service.url}/${kind === 'patient' ? 'patients' : 'facilities'}/${id}`, { headers });
        expect(res.status, `acknowledged ${kind} ${id} is missing after round ${round}`).toBe(200);
      }
      const verification = await (await fetch(`${service.url}/audit-events/verification`, { headers })).json();
      expect(verification.intact, JSON.stringify(verification)).toBe(true);
    }
    await killHard(service);
    service = undefined;
  }, 300_000); // process starts are slow on a loaded machine
});
