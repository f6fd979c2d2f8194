// vitest global setup: gives the test processes a directory to write what the OpenAPI contract
// checked (contract.ts), and at the end prints how much of the document the suite exercised.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Report {
  checked: number;
  exercised: string[];
  declared: string[];
}

export default function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'allograft-contract-'));
  // Test processes are forked after this runs, and inherit it.
  process.env.CONTRACT_REPORT_DIR = dir;
  return () => {
    const reports = readdirSync(dir).map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as Report);
    rmSync(dir, { recursive: true, force: true });
    if (reports.length === 0) return;
    const declared = new Set(reports.flatMap((r) => r.declared));
    const exercised = new Set(reports.flatMap((r) => r.exercised).filter((pair) => declared.has(pair)));
    const operations = (pairs: Set<string>) => new Set([...pairs].map((pair) => pair.split(' ')[0]));
    const checked = reports.reduce((sum, r) => sum + r.checked, 0);
    console.log(
      `OpenAPI contract: ${checked} responses checked against the served document; ` +
        `${operations(exercised).size} of ${operations(declared).size} operations and ${exercised.size} of ${declared.size} declared responses exercised.`,
    );
  };
}
