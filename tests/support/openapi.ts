// The OpenAPI document as the code generates it, rendered as YAML (no database needed beyond a scratch PGlite).
import { stringify } from 'yaml';
import { startTestApp } from './test-app.ts';

export async function renderOpenApi(): Promise<string> {
  const t = await startTestApp('pglite');
  try {
    // YAML 1.1 rules for quoting: a string that a YAML 1.1 reader (js-yaml, many generators)
    // would take for a timestamp, a boolean or a number, such as an example date, is quoted.
    return stringify(t.app.swagger(), { lineWidth: 0, aliasDuplicateObjects: false, version: '1.1' });
  } finally {
    await t.close();
  }
}
