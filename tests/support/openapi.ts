// The OpenAPI document as the code generates it, rendered as YAML (no database needed beyond a scratch PGlite).
import { stringify } from 'yaml';
import { startTestApp } from './test-app.ts';

export async function renderOpenApi(): Promise<string> {
  const t = await startTestApp('pglite');
  try {
    return stringify(t.app.swagger(), { lineWidth: 0, aliasDuplicateObjects: false });
  } finally {
    await t.close();
  }
}
