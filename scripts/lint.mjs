// Layering rules that a type checker does not see (DESIGN.md, "Shape of the code"):
// routes hold no business rules and never reach the database; services know nothing of HTTP.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const files = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });

const rules = [
  { dir: 'src/http', forbid: /\bprisma\.|\$transaction|from '.*generated\/prisma\/client/, why: 'the HTTP layer must not touch the database' },
  { dir: 'src/domain', forbid: /from 'fastify|@fastify\//, why: 'domain services must not know HTTP' },
  { dir: 'src', forbid: /console\.log\(/, why: 'use the logger, not console.log' },
];

let failures = 0;
for (const { dir, forbid, why } of rules) {
  for (const file of files(dir)) {
    if (file.includes('generated')) continue;
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      if (forbid.test(line)) {
        console.error(`${file}:${i + 1}: ${why}\n    ${line.trim()}`);
        failures++;
      }
    });
  }
}
if (failures) process.exit(1);
console.log('lint: layering rules hold');
