// The rxchan modules benchmarks load: an esbuild bundle of the sources, made
// per run, so `npm run bench` needs no build step.
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Bundles src/index.ts and src/rxjs.ts into a per-process folder under
 * .bench-tmp/, as one graph: the channel code both use is one shared chunk
 * (as in dist/), so workerPoolFrom accepts channels made by `chan`. rxjs
 * stays external: rxchan and rxjs-mergeMap load the same copy. The folder
 * is removed when this process exits.
 */
export async function bundleRxchan() {
  const { build } = await import('esbuild');
  const outdir = join(repoRoot, '.bench-tmp', `rxchan-${process.pid}`);
  mkdirSync(outdir, { recursive: true });
  process.on('exit', () => rmSync(outdir, { recursive: true, force: true }));
  await build({
    entryPoints: { index: join(repoRoot, 'src/index.ts'), rxjs: join(repoRoot, 'src/rxjs.ts') },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir,
    outExtension: { '.js': '.mjs' },
    external: ['rxjs'],
    logLevel: 'error',
  });
  return { index: join(outdir, 'index.mjs'), rxjs: join(outdir, 'rxjs.mjs') };
}
