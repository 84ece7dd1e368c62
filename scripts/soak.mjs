// Soak run of the fast-check suites in test/properties.
//
// Usage: node scripts/soak.mjs [numRuns] [extra vitest args...]
//
// `numRuns` is the number of runs per property (FC_NUM_RUNS). Without it,
// each property runs 20,000 times, or more if there are fewer than five
// property files, so a soak always explores at least 100,000 schedules. The
// seed stays fixed (FC_SEED, default from test/setup.ts) and is printed.
// The rest of the environment, CI included, is passed through.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const MIN_TOTAL_RUNS = 100_000;
const DEFAULT_RUNS_PER_PROPERTY = 20_000;
// Time allowed per property run; property tests inherit the 20s test
// timeout otherwise, which a soak would always overrun.
const MS_PER_RUN = 20;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const propertiesDir = join(repoRoot, 'test', 'properties');
const vitestBin = join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs');

const propertyFiles = existsSync(propertiesDir)
  ? readdirSync(propertiesDir, { recursive: true }).filter((f) => String(f).endsWith('.test.ts'))
  : [];
if (propertyFiles.length === 0) {
  console.error('soak: no property tests found in test/properties');
  process.exit(1);
}

const args = process.argv.slice(2);
let numRuns = Math.max(DEFAULT_RUNS_PER_PROPERTY, Math.ceil(MIN_TOTAL_RUNS / propertyFiles.length));
if (args.length > 0 && /^\d+$/.test(args[0])) {
  numRuns = Number(args.shift());
}
if (!Number.isSafeInteger(numRuns) || numRuns < 1) {
  console.error(`soak: numRuns must be a positive integer, got ${numRuns}`);
  process.exit(1);
}

const total = numRuns * propertyFiles.length;
console.log(
  `soak: ${propertyFiles.length} property file(s) x ${numRuns} runs = at least ${total} runs`,
);
if (total < MIN_TOTAL_RUNS) {
  console.log(`soak: note, below the ${MIN_TOTAL_RUNS} runs a full soak should reach`);
}

const result = spawnSync(
  process.execPath,
  [
    vitestBin,
    'run',
    'test/properties',
    `--testTimeout=${Math.max(20_000, numRuns * MS_PER_RUN)}`,
    ...args,
  ],
  {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...process.env, FC_NUM_RUNS: String(numRuns) },
  },
);
if (result.error) {
  console.error(`soak: could not start vitest: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
