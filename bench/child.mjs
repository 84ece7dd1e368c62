// Runs one workload for one system in this process and prints one JSON line:
//   node [--expose-gc] bench/child.mjs <system> <workload> <n>
// The checksum is verified here; a mismatch exits with code 3.
import { loadSystem } from './systems/index.mjs';
import { workloads } from './workloads.mjs';

const [system, workloadId, nText, flag] = process.argv.slice(2);
// --warm: one untimed run first, so the timed run sees optimized code (the
// steady state of a long-lived process) rather than the JIT's warm-up.
// M1 and W7 are never warmed: their heap figures would mix the two runs. W6
// measures its retained heap inside the timed run, so it can be warmed.
const isWarm = flag === '--warm' && workloadId !== 'M1' && workloadId !== 'W7';
const workload = workloads[workloadId];
if (workload === undefined) throw new Error(`unknown workload ${workloadId}`);
const n = Number(nText);

const impl = await loadSystem(system);
const run = impl[workloadId];
if (typeof run !== 'function') throw new Error(`${system} does not implement ${workloadId}`);

if (isWarm) await run(n);

const t0 = performance.now();
const result = await run(n);
const elapsed = performance.now() - t0;
const ms = result.ms ?? elapsed;

const expected = workload.expect(n, result, system);
const wrong = Object.keys(expected).filter((k) => result[k] !== expected[k]);
// `ops` overrides the count where an op is not a received value (W7's
// dropping pool counts source values taken).
const ops = result.ops ?? result.count;
const line = { system, workload: workloadId, n, ms, opsPerSec: (ops / ms) * 1000 };
for (const [k, v] of Object.entries(result)) if (k !== 'ms') line[k] = v;
if (wrong.length > 0) {
  line.error = `checksum mismatch: ${wrong.map((k) => `${k}=${result[k]}, expected ${expected[k]}`).join('; ')}`;
}
line.ok = wrong.length === 0;

// Pending peer timers (W6 arms one-hour timers) must not keep us alive.
process.stdout.write(`${JSON.stringify(line)}\n`, () => process.exit(line.ok ? 0 : 3));
