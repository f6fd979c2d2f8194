// npm run openapi: writes openapi.yaml from the zod route schemas (a test fails when it drifts).
import { writeFile } from 'node:fs/promises';
import { renderOpenApi } from '../tests/support/openapi.ts';

await writeFile(new URL('../openapi.yaml', import.meta.url), await renderOpenApi());
console.log('Wrote openapi.yaml');
process.exit(0);
