// The benchmark suite of issue 3: `npm run bench [-- flags]`.
//
// Every run is a fresh `node` process (bench/child.mjs) that runs one
// workload for one system, times itself with performance.now() (start-up
// excluded) and verifies its checksum. Per workload, each round runs the
// baseline and then each other system, pair by pair (B S1 B S2 ...); the
// first round is an unmeasured warm-up. Reported: median ops/s over the
// measured runs, and the ratio to the baseline as the median of the per-pair
// ratios. W7 pairs with rxjs-mergeMap instead of the baseline, at each of
// its sizes (only rxchan runs at 1M, alone). rxchan is loaded from an esbuild
// bundle of src/index.ts and src/rxjs.ts made at the start of the run (no
// build step, no type check); --dist uses dist/ instead.
//
// Flags:
//   --quick           tiny N, one run per system, no warm-up (the smoke test)
//   --only W1,W2      only these workloads (W1-W7, M1, S1)
//   --systems a,b     only these systems (and their name-* variants); the
//                     baseline and rxjs-mergeMap (W7) are always added
//   --runs N          measured runs per system (default 5)
//   --timeout S       seconds before a child is killed as hung (default 60)
//   --dist            load rxchan from dist/index.mjs (run `npm run build` first)
//   --report          write docs/benchmarks.md and docs/benchmarks.svg (with --warm:
//                     docs/benchmarks-warm.md and docs/benchmarks-warm.svg)
//   --warm            run each workload once, untimed, in the same process
//                     before the timed run (steady state instead of JIT warm-up)
//   --json            print the raw results as JSON instead of tables
//
// Exit code 1 if a run of rxchan or of a reference (the baseline, or
// rxjs-mergeMap for W7) failed (checksum, crash, stall or timeout). A
// failing peer is reported as failed, not as a number.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleRxchan } from './bundle.mjs';
import { machineInfo, renderMarkdown, renderSvg, summarize, writeReport } from './report.mjs';
import { BASELINE, loadSystem, selectSystems, systemNames } from './systems/index.mjs';
import { unavailable, workloadOrder, workloads } from './workloads.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(benchDir, '..');

function parseArgs(argv) {
  const opts = {
    quick: false,
    only: null,
    systems: null,
    runs: 5,
    timeoutS: 60,
    dist: false,
    report: false,
    json: false,
    warm: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--quick') opts.quick = true;
    else if (arg === '--only') opts.only = value().toUpperCase().split(',');
    else if (arg === '--systems') opts.systems = value().split(',');
    else if (arg === '--runs') opts.runs = Number(value());
    else if (arg === '--timeout') opts.timeoutS = Number(value());
    else if (arg === '--dist') opts.dist = true;
    else if (arg === '--report') opts.report = true;
    else if (arg === '--json') opts.json = true;
    else if (arg === '--warm') opts.warm = true;
    else throw new Error(`unknown flag ${arg}`);
  }
  if (!(Number.isInteger(opts.runs) && opts.runs >= 1)) throw new Error('--runs must be >= 1');
  if (opts.only !== null) {
    const bad = opts.only.filter((w) => !workloadOrder.includes(w));
    if (bad.length > 0) throw new Error(`unknown workload(s): ${bad.join(', ')}`);
  }
  return opts;
}

/** Systems a workload's ratios are taken against: always run. */
const references = [
  BASELINE,
  ...new Set(Object.values(workloads).flatMap((d) => (d.reference ? [d.reference] : []))),
];

/** The JSON object on the last line of `text`, or null. */
function parseLastLine(text) {
  const last = text.trim().split('\n').pop();
  try {
    return last ? JSON.parse(last) : null;
  } catch {
    return null;
  }
}

/** Runs one child; resolves to its JSON line, or `{ ok: false, error }`. */
function runChild(system, workloadId, n, opts, env) {
  const args = [];
  if (workloads[workloadId].gc) args.push('--expose-gc');
  args.push(join(benchDir, 'child.mjs'), system, workloadId, String(n));
  if (opts.warm) args.push('--warm');
  return new Promise((done) => {
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutS * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = parseLastLine(stdout);
      if (timedOut) return done({ ok: false, error: `timed out after ${opts.timeoutS} s` });
      if (line !== null && line.ok) return done(line);
      if (line !== null) return done({ ok: false, error: line.error });
      // Exit code 13: the event loop emptied while the workload still
      // awaited something, i.e. a wake-up was lost and everything stalled.
      if (code === 13) {
        return done({
          ok: false,
          error: 'stalled: event loop emptied before the workload finished',
        });
      }
      const message = stderr.trim().split('\n').slice(-3).join(' | ');
      done({ ok: false, error: `exited with code ${code}: ${message}` });
    });
  });
}

const fmtOps = (x) =>
  x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0);

/** One progress line for a system's summary on workload `w`. */
function progressText(w, def, c) {
  if (w === 'M1') {
    return `${Math.round(c.bytesPerSend)} B/parked send, ${Math.round(c.bytesPerTask)} B/parked task`;
  }
  const ratio = c.ratio === null ? '' : `  ${c.ratio.toFixed(2)}x ${def.reference ?? BASELINE}`;
  let text = `${fmtOps(c.opsPerSec).padStart(9)} ${def.unit}${ratio}`;
  if (w === 'W6') text += `, ${Math.round(c.bytesPerSelect) + 0} B/select retained`;
  if (w === 'W7') {
    const mib = (x) => (x / 2 ** 20).toFixed(1);
    text += `, peak heap +${mib(c.peakHeapBytes)} MiB, live +${mib(c.peakLiveBytes)} MiB`;
    text += `, ${c.results} results`;
  }
  if (w === 'S1') {
    text += `, setTimeout(0) late by ${c.timerDelayMs.toFixed(0)} ms`;
    text += `, setImmediate by ${c.immediateDelayMs.toFixed(0)} ms`;
  }
  return text;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const selected =
    opts.systems === null ? systemNames : selectSystems([...references, ...opts.systems]);
  const env = { ...process.env };
  if (selected.some((s) => s.startsWith('rxchan'))) {
    if (opts.dist) {
      env.RXCHAN_ENTRY = join(repoRoot, 'dist/index.mjs');
      env.RXCHAN_RXJS_ENTRY = join(repoRoot, 'dist/rxjs.mjs');
      if (!existsSync(env.RXCHAN_ENTRY)) throw new Error('dist/index.mjs missing: npm run build');
    } else {
      const bundle = await bundleRxchan();
      env.RXCHAN_ENTRY = bundle.index;
      env.RXCHAN_RXJS_ENTRY = bundle.rxjs;
    }
    process.env.RXCHAN_ENTRY = env.RXCHAN_ENTRY;
    process.env.RXCHAN_RXJS_ENTRY = env.RXCHAN_RXJS_ENTRY;
  }

  // Which workloads each selected system implements.
  const supports = {};
  for (const s of selected) supports[s] = new Set(Object.keys(await loadSystem(s)));

  const log = opts.json ? () => {} : (text) => process.stdout.write(`${text}\n`);
  const machine = machineInfo();
  log(`rxchan benchmarks: ${machine.cpu} x${machine.cores}, node ${machine.node}`);
  log(
    opts.quick
      ? 'quick mode: tiny N, one run each, numbers are meaningless'
      : `${opts.runs} measured runs per system after 1 warm-up; fresh process per run`,
  );

  const order = workloadOrder.filter((w) => opts.only === null || opts.only.includes(w));
  const results = { machine, opts, date: new Date().toISOString(), workloads: {} };
  let fatal = false;

  for (const w of order) {
    if (unavailable[w] !== undefined) {
      log(`${w}: ${unavailable[w]}`);
      results.workloads[w] = { unavailable: unavailable[w] };
      continue;
    }
    const def = workloads[w];
    const ref = def.reference ?? BASELINE;
    const sizes = def.sizes
      ? opts.quick
        ? def.quickSizes
        : def.sizes
      : [{ n: opts.quick ? def.quickN : def.n, paired: true }];
    const systems = selected.filter((s) => supports[s].has(w));
    const others = systems.filter((s) => s !== ref);
    const rounds = opts.quick ? 1 : opts.runs + 1;
    const measuredSizes = [];

    for (const size of sizes) {
      const { n } = size;
      const cell = {};
      const here = size.paired ? systems : others;
      for (const s of here) cell[s] = { runs: [], pairs: [], failure: null };
      log(`${w} ${def.title}, n=${n}: ${here.join(', ')}`);

      const record = (s, r, measured) => {
        if (!r.ok) {
          cell[s].failure = r.error;
          log(`  FAILED ${s} ${w} n=${n}: ${r.error}`);
          if (s === ref || s.startsWith('rxchan')) fatal = true;
        } else if (measured) {
          cell[s].runs.push(r);
        }
      };

      for (let round = 0; round < rounds; round++) {
        const measured = opts.quick || round > 0;
        const partners = others.length > 0 ? others : [null];
        for (const s of partners) {
          if (s !== null && cell[s].failure !== null) continue;
          if (!size.paired) {
            // No reference at this size: the system runs alone, unpaired.
            if (s !== null) record(s, await runChild(s, w, n, opts, env), measured);
            continue;
          }
          if (cell[ref].failure !== null) break;
          const b = await runChild(ref, w, n, opts, env);
          record(ref, b, measured);
          if (s === null || !b.ok) continue;
          const r = await runChild(s, w, n, opts, env);
          record(s, r, measured);
          if (r.ok && measured) cell[s].pairs.push(r.opsPerSec / b.opsPerSec);
        }
      }
      const { title, unit } = def;
      const entry = { n, title, unit, reference: ref, paired: size.paired, cells: cell };
      measuredSizes.push(entry);
      for (const [s, c] of Object.entries(summarize(w, entry))) {
        if (c.failure) continue;
        log(`  ${s.padEnd(14)} ${progressText(w, def, c)}`);
      }
    }
    // A workload with sizes keeps them all; the others keep their one entry.
    results.workloads[w] = def.sizes
      ? { title: def.title, unit: def.unit, reference: ref, sizes: measuredSizes }
      : measuredSizes[0];
  }

  results.loadAtEnd = os.loadavg()[0];
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(results)}\n`);
  } else {
    log('');
    log(renderMarkdown(results));
  }
  if (opts.report) {
    const paths = writeReport(repoRoot, results, renderMarkdown(results), renderSvg(results));
    log(`wrote ${paths.join(', ')}`);
  }
  if (fatal) {
    process.stderr.write('benchmark FAILED: a run of rxchan or the baseline failed (see above)\n');
    process.exitCode = 1;
  }
}

await main();
