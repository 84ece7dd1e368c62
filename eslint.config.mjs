// Flat ESLint config: the recommended JS and TypeScript rules, without
// type-aware linting so `eslint .` stays fast. `tsc --noEmit` checks types.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

// Node globals used by the plain-JS scripts and configs. TypeScript files
// need none of this: typescript-eslint turns `no-undef` off for them.
const nodeGlobals = Object.fromEntries(
  [
    'AbortController',
    'AbortSignal',
    'Buffer',
    'URL',
    'clearImmediate',
    'clearInterval',
    'clearTimeout',
    'console',
    'performance',
    'process',
    'queueMicrotask',
    'setImmediate',
    'setInterval',
    'setTimeout',
    'structuredClone',
  ].map((name) => [name, 'readonly']),
);
const commonjsGlobals = {
  require: 'readonly',
  module: 'writable',
  exports: 'writable',
  __dirname: 'readonly',
  __filename: 'readonly',
};

export default defineConfig(
  // Benchmark peers in bench/**/*.cjs are other libraries' code paths.
  globalIgnores(['dist/', 'coverage/', 'node_modules/', 'docs/', '.bench-tmp/', 'bench/**/*.cjs']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module', globals: nodeGlobals },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...nodeGlobals, ...commonjsGlobals } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The library never logs; examples, benchmarks and scripts may.
    files: ['src/**'],
    rules: { 'no-console': 'error' },
  },
);
