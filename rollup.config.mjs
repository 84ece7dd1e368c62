// Builds the three public entry points (`rxchan`, `rxchan/rxjs`,
// `rxchan/testing`) as ESM and CJS, plus bundled type declarations.
//
// All entries go through ONE rollup graph, so code they share (the channel
// core, the error classes) lands in a single shared chunk instead of being
// copied into each entry. That keeps `instanceof ChannelClosedError` true no
// matter which entry point a value came from.
import { rmSync } from 'node:fs';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

const input = {
  index: 'src/index.ts',
  rxjs: 'src/rxjs.ts',
  testing: 'src/testing.ts',
};

// Peer dependencies and the package itself are never bundled.
const externalPackages = ['rxjs', 'fast-check', 'rxchan'];
const external = (id) => externalPackages.some((name) => id === name || id.startsWith(`${name}/`));

// Hashed chunk names change between builds; start from an empty dist so
// stale chunks are never published.
rmSync('dist', { recursive: true, force: true });

const output = (format, ext) => ({
  dir: 'dist',
  format,
  entryFileNames: `[name].${ext}`,
  chunkFileNames: `chunks/[name]-[hash].${ext}`,
  ...(format === 'cjs' ? { exports: 'named', interop: 'auto' } : {}),
});

export default [
  {
    input,
    external,
    // Type errors fail the build instead of printing a warning.
    plugins: [typescript({ tsconfig: './tsconfig.build.json', noEmitOnError: true })],
    output: [output('es', 'mjs'), output('cjs', 'cjs')],
  },
  {
    input,
    external,
    plugins: [dts({ tsconfig: './tsconfig.build.json' })],
    output: {
      dir: 'dist',
      format: 'es',
      entryFileNames: '[name].d.ts',
      chunkFileNames: 'chunks/[name]-[hash].d.ts',
    },
  },
];
