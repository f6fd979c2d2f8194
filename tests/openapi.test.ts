import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderOpenApi } from './support/openapi.ts';

describe('openapi.yaml', () => {
  it('is what the code generates (run npm run openapi after changing a route)', async () => {
    const committed = await readFile(new URL('../openapi.yaml', import.meta.url), 'utf8');
    expect(committed).toBe(await renderOpenApi());
  });

  it('gives every operation an id, a tag and declared responses', async () => {
    const { parse } = await import('yaml');
    const doc = parse(await renderOpenApi());
    for (const [path, methods] of Object.entries<Record<string, { operationId?: string; tags?: string[]; responses?: object }>>(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        expect(op.operationId, `${method} ${path}`).toBeTruthy();
        expect(op.tags?.length, `${method} ${path}`).toBeGreaterThan(0);
        expect(Object.keys(op.responses ?? {}).length, `${method} ${path}`).toBeGreaterThan(0);
      }
    }
  });
});
