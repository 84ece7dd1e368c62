// Runs before every test file (vitest `setupFiles`).
//
// Unhandled errors: vitest itself records every unhandled rejection and
// uncaught exception raised while a test file runs, prints it with the file
// and test that were running, and makes `vitest run` exit non-zero even when
// every test passed. `vitest.config.ts` pins `dangerouslyIgnoreUnhandledErrors`
// to false so that stays true; no extra process handlers are needed here.
//
// fast-check: every property runs with one fixed, printed seed so a failure
// can be replayed. Override with `FC_SEED=<int>`; set the number of runs per
// property with `FC_NUM_RUNS=<int>` (default 100; `npm run soak` raises it).
// Properties should not pass their own `seed` or `numRuns`, or these
// settings cannot reach them.
import fc from 'fast-check';

const DEFAULT_SEED = 20261204;
const DEFAULT_NUM_RUNS = 100;

function integerFromEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`test setup: ${name} must be an integer >= ${min}, got ${raw}`);
  }
  return value;
}

const seed = integerFromEnv('FC_SEED', DEFAULT_SEED, -(2 ** 31));
const numRuns = integerFromEnv('FC_NUM_RUNS', DEFAULT_NUM_RUNS, 1);

fc.configureGlobal({ seed, numRuns });

// A setup file runs once per test file; print the settings once per process.
const printedKey = Symbol.for('rxchan.test.fastCheckSettingsPrinted');
const registry = globalThis as { [printedKey]?: boolean };
if (registry[printedKey] !== true) {
  registry[printedKey] = true;
  process.stderr.write(`fast-check seed=${seed} numRuns=${numRuns}\n`);
}
