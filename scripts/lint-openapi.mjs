// npm run lint, part two: Redocly's recommended rules (redocly.yaml) on openapi.yaml, offline and
// without telemetry. Fails on any error or warning: fix it, or switch the rule off in redocly.yaml
// with a one-line reason.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const cli = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
const run = spawnSync(process.execPath, [cli, 'lint', 'openapi.yaml', '--max-problems=200'], {
  encoding: 'utf8',
  env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
});
// Redocly prints a boxed notice on Node 20 ("support is ending"); the machines run Node 20 on purpose.
const output = `${run.stdout}${run.stderr}`
  .split('\n')
  .filter((line) => !/^\s*[║╔╚]/.test(line))
  .join('\n')
  .trim();
const warned = /You have \d+ warnings?/.test(output);
if (run.status !== 0 || warned) {
  console.error(output);
  process.exit(1);
}
console.log('lint: openapi.yaml keeps Redocly’s recommended rules (redocly.yaml)');
