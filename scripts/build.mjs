// Compiles src/ (TypeScript) to dist/ (JavaScript) with esbuild, file for file at the same depth,
// so that `npm start` runs plain node: no TypeScript loader thread beside the service, no
// compiling at each start. Types are checked by `npm run typecheck`, not here.
//   node scripts/build.mjs             build
//   node scripts/build.mjs --if-stale  build only when a file under src/ is newer than dist/
// Run at install (postinstall) and by `npm start` when src/ changed since.
import { existsSync, readdirSync, statSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');
const stamp = join(dist, '.built');

function sources(dir, found = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sources(path, found);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) found.push(path);
  }
  return found;
}

if (!existsSync(join(src, 'server.ts'))) {
  // An install without the sources (the Docker image's dependency stage): nothing to build.
  process.exit(0);
}
const files = sources(src);
if (process.argv.includes('--if-stale') && existsSync(stamp)) {
  const built = statSync(stamp).mtimeMs;
  // A file removed from src/ leaves its old .js in dist/, unreachable by any import: harmless.
  if (files.every((f) => statSync(f).mtimeMs <= built) && statSync(src).mtimeMs <= built) process.exit(0);
}

const { build } = await import('esbuild');
const started = Date.now();
rmSync(dist, { recursive: true, force: true });
await build({
  entryPoints: files,
  outdir: dist,
  outbase: src,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  sourcemap: 'linked',
  logLevel: 'warning',
  // Each file is compiled on its own: every import stays an import, its `.ts` becoming `.js`.
  bundle: true,
  plugins: [
    {
      name: 'keep-imports',
      setup(b) {
        b.onResolve({ filter: /.*/ }, (args) => {
          if (args.kind === 'entry-point') return undefined;
          const relativeTs = /^\.{1,2}\//.test(args.path) && args.path.endsWith('.ts');
          return { path: relativeTs ? `${args.path.slice(0, -3)}.js` : args.path, external: true };
        });
      },
    },
  ],
});
writeFileSync(stamp, `${new Date().toISOString()}\n`);
process.stderr.write(`built ${files.length} files from ${relative(root, src)}/ into ${relative(root, dist)}/ in ${Date.now() - started} ms\n`);
