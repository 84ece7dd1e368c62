// Turns the raw results of bench/run.mjs into medians, Markdown tables, the
// issue-3 target check and a hand-written SVG bar chart.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { BASELINE, PEERS, descriptions, systemNames } from './systems/index.mjs';
import { workloadOrder } from './workloads.mjs';

const THROUGHPUT = ['W1', 'W2', 'W3', 'W4', 'W5', 'W6'];

export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpu: cpus.length > 0 ? cpus[0].model.trim() : 'unknown CPU',
    cores: cpus.length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    // 1-minute load average when the run started: other work on the machine adds noise.
    loadAtStart: os.loadavg()[0],
  };
}

export function median(xs) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Per system of one workload: medians, ratio to baseline, failure. */
export function summarize(w, entry) {
  const out = {};
  if (entry.cells === undefined) return out;
  for (const [s, c] of Object.entries(entry.cells)) {
    const pick = (f) => median(c.runs.map(f));
    out[s] = {
      failure: c.failure,
      runs: c.runs.length,
      opsPerSec: pick((r) => r.opsPerSec),
      ratio: s === BASELINE ? (c.runs.length > 0 ? 1 : null) : median(c.pairs),
      bytesPerSelect: w === 'W6' ? pick((r) => r.retainedBytes / r.count) : null,
      bytesPerSend: w === 'M1' ? pick((r) => r.bytesPerSend) : null,
      bytesPerTask: w === 'M1' ? pick((r) => r.bytesPerTask) : null,
      timerDelayMs: w === 'S1' ? pick((r) => r.timerDelayMs) : null,
      immediateDelayMs: w === 'S1' ? pick((r) => r.immediateDelayMs) : null,
      pingPongMs: w === 'S1' ? pick((r) => r.ms) : null,
      peakHeapBytes: w === 'W7' ? pick((r) => r.peakHeapBytes) : null,
      peakLiveBytes: w === 'W7' ? pick((r) => r.peakLiveBytes) : null,
      results: w === 'W7' ? pick((r) => r.count) : null,
    };
  }
  return out;
}

const fmtOps = (x) =>
  x === null
    ? '—'
    : x >= 1e6
      ? `${(x / 1e6).toFixed(2)} M`
      : x >= 1e3
        ? `${(x / 1e3).toFixed(x >= 1e5 ? 0 : 1)} k`
        : x.toFixed(0);
const fmtRatio = (x) => (x === null ? '—' : x.toFixed(2));
const fmtBytes = (x) => (x === null ? '—' : String(Math.round(x) + 0));

/** All summaries, keyed by workload then system (W7's sizes apart, see w7Summaries). */
function allSummaries(results) {
  const out = {};
  for (const [w, entry] of Object.entries(results.workloads)) {
    if (entry.sizes === undefined) out[w] = summarize(w, entry);
  }
  return out;
}

/** W7's summaries, one `{ n, sums }` per size, or null if W7 did not run. */
function w7Summaries(results) {
  const entry = results.workloads.W7;
  if (entry?.sizes === undefined) return null;
  return entry.sizes.map((e) => ({ n: e.n, sums: summarize('W7', e) }));
}

const fmtMiB = (x, digits = 1) => (x === null ? '—' : `${(x / 2 ** 20).toFixed(digits)}`);
const fmtN = (n) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));

/** W7: a live heap that grows less than this from the smallest to the largest size is flat. */
const W7_FLAT_FACTOR = 1.5;

/**
 * The W7 target for one rxchan variant: peak live heap flat from the
 * smallest to the largest size (at most 1.5× the smallest size's plus 1 MiB
 * of slack, far below the 10× of a heap that grows with N; the peak with
 * garbage moves with the young generation, not with N), and at least 0.8×
 * the reference's throughput at every size both ran.
 */
function w7Target(w7, system, label) {
  const target = `W7 ${label}: peak live heap flat ${fmtN(w7[0].n)} → ${fmtN(w7.at(-1).n)}, ≥ 0.8× mergeMap`;
  const cells = w7.map((z) => z.sums[system]);
  if (cells.some((c) => c === undefined)) return [target, 'not measured', '—'];
  if (cells.some((c) => c.failure !== null)) return [target, 'failed', 'no'];
  const first = cells[0].peakLiveBytes;
  const last = cells.at(-1).peakLiveBytes;
  const flat = last <= first * W7_FLAT_FACTOR + 2 ** 20;
  const paired = w7.filter((z) => z.sums[system].ratio !== null);
  const ratios = paired.map((z) => `${fmtRatio(z.sums[system].ratio)}× at ${fmtN(z.n)}`);
  const fast = paired.length > 0 && paired.every((z) => z.sums[system].ratio >= 0.8);
  return [
    target,
    `peak live heap +${fmtMiB(first, 2)} MiB at ${fmtN(w7[0].n)}, +${fmtMiB(last, 2)} MiB at ${fmtN(w7.at(-1).n)}; ${
      ratios.length > 0 ? ratios.join(', ') : 'mergeMap not measured'
    }`,
    flat && fast ? 'yes' : 'no',
  ];
}

/** Systems that appear in any of the given workloads, in report order. */
function systemsIn(sums, ws) {
  return systemNames.filter((s) =>
    ws.some((w) => sums[w] !== undefined && sums[w][s] !== undefined),
  );
}

function cellText(c, value) {
  if (c === undefined) return '—';
  if (c.failure !== null) return `failed ¹`;
  return value(c);
}

/** The best peer on workload `w` by ratio to the baseline, or null. */
function bestPeer(sums, w) {
  let best = null;
  for (const p of PEERS) {
    const c = sums[w]?.[p];
    if (c === undefined || c.failure !== null || c.ratio === null) continue;
    if (best === null || c.ratio > best.ratio) best = { name: p, ratio: c.ratio };
  }
  return best;
}

/** Issue-3 targets as rows: [target, measured, met?]. */
function targets(sums, w7) {
  const rows = [];
  const rx = (w) => sums[w]?.rxchan;
  const ok = (c) => c !== undefined && c.failure === null;
  for (const w of ['W1', 'W2', 'W3', 'W4', 'W5']) {
    const c = rx(w);
    if (!ok(c)) {
      const failed = c !== undefined;
      rows.push([
        `${w}: ≥ 0.9× baseline, ≥ 1.3× best peer`,
        failed ? 'failed' : 'not measured',
        failed ? 'no' : '—',
      ]);
      continue;
    }
    const best = bestPeer(sums, w);
    const vsPeer = best === null ? null : c.ratio / best.ratio;
    const met = c.ratio >= 0.9 && (vsPeer === null || vsPeer >= 1.3);
    rows.push([
      `${w}: ≥ 0.9× baseline, ≥ 1.3× best peer`,
      `${fmtRatio(c.ratio)}× baseline; ${
        best === null ? 'no peer measured' : `${fmtRatio(vsPeer)}× ${best.name}`
      }`,
      met ? 'yes' : 'no',
    ]);
  }
  const sync = sums.W2?.['rxchan-sync'];
  rows.push([
    'W2 fast path (trySend/tryReceive): ≥ 10 M msgs/s',
    ok(sync) ? `${fmtOps(sync.opsPerSec)} msgs/s` : sync ? 'failed' : 'not measured',
    sync === undefined ? '—' : ok(sync) && sync.opsPerSec >= 10e6 ? 'yes' : 'no',
  ]);
  const w6 = rx('W6');
  rows.push([
    'W6: ≥ 1.0× baseline, < 16 retained bytes per select',
    ok(w6)
      ? `${fmtRatio(w6.ratio)}×, ${fmtBytes(w6.bytesPerSelect)} B/select`
      : w6
        ? 'failed'
        : 'not measured',
    w6 === undefined ? '—' : ok(w6) && w6.ratio >= 1 && w6.bytesPerSelect < 16 ? 'yes' : 'no',
  ]);
  const m1 = rx('M1');
  rows.push([
    'M1: < 200 bytes per parked send',
    ok(m1) ? `${fmtBytes(m1.bytesPerSend)} B/send` : m1 ? 'failed' : 'not measured',
    m1 === undefined ? '—' : ok(m1) && m1.bytesPerSend < 200 ? 'yes' : 'no',
  ]);
  if (w7 === null) {
    rows.push(['W7: workerPool heap flat, ≥ 0.8× mergeMap', 'not measured', '—']);
  } else {
    rows.push(w7Target(w7, 'rxchan', "workerPool, 'drop-oldest' (source values/s)"));
    rows.push(w7Target(w7, 'rxchan-from', 'workerPoolFrom, lossless'));
  }
  return rows;
}

function table(header, rows) {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

export function renderMarkdown(results) {
  const sums = allSummaries(results);
  const w7 = w7Summaries(results);
  const m = results.machine;
  const ws = THROUGHPUT.filter((w) => sums[w] !== undefined);
  const sys = systemsIn(sums, ws);
  const out = [];
  const failures = [];
  for (const w of Object.keys(sums)) {
    for (const [s, c] of Object.entries(sums[w])) {
      if (c.failure !== null) failures.push(`- ${w} ${s}: ${c.failure} (${c.runs} runs completed)`);
    }
  }
  for (const z of w7 ?? []) {
    for (const [s, c] of Object.entries(z.sums)) {
      if (c.failure !== null) {
        failures.push(`- W7 n=${z.n} ${s}: ${c.failure} (${c.runs} runs completed)`);
      }
    }
  }
  const w7Systems =
    w7 === null ? [] : systemNames.filter((s) => w7.some((z) => z.sums[s] !== undefined));

  out.push('# Benchmarks');
  out.push('');
  out.push(
    `Generated by \`npm run bench -- --report\` (bench/run.mjs) on ${results.date.slice(0, 10)}.`,
  );
  out.push('');
  out.push(`- Machine: ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, ${m.os}; Node ${m.node}.`);
  out.push(
    `- Load average (1 min) at the start: ${m.loadAtStart.toFixed(1)}, at the end: ${results.loadAtEnd.toFixed(1)}. With other work on the machine, single ratios move by ±20% between runs of the suite; read differences under about 15% (W5: 25%) as noise.`,
  );
  out.push(
    results.opts.quick
      ? '- Quick mode: tiny N and one run each. These numbers mean nothing.'
      : `- ${results.opts.runs} measured runs per system and workload after one warm-up, each in a fresh \`node\` process.`,
  );
  out.push(
    results.opts.warm
      ? '- Steady state (`--warm`): each process first runs its workload once, untimed, so the timed run measures optimized code. The cold report (docs/benchmarks.md) includes the JIT warm-up, which is a large part of a 20-50 ms run.'
      : '- Cold: each timed run starts in a fresh process, so it includes the JIT warm-up. docs/benchmarks-warm.md (`--warm`) has the steady-state figures.',
  );
  out.push(
    '- Why select (W4, W6) trails the baseline, step by step, and how to write fast channel code: [performance.md](performance.md) (`npm run bench:select`).',
  );
  out.push(
    '- Each run of a system is paired with a run of the baseline (W7: of rxjs-mergeMap) just before it. **ops/s** is the median over the runs (each process times itself, start-up excluded); **× baseline** is the median of the per-pair ratios (> 1 = faster). Every run verified its checksum (count and sum of the values received).',
  );
  out.push(
    `- rxchan is ${results.opts.dist ? 'dist/index.mjs and dist/rxjs.mjs' : 'an esbuild bundle of src/index.ts and src/rxjs.ts made at the start of the run'}. The baseline is the hand-written channel in bench/baseline.mjs, the practical limit for an \`await ch.send()\` API.`,
  );
  out.push('');
  // The throughput tables and the chart, unless only W7, M1 or S1 ran.
  if (ws.length > 0) {
    out.push(`![ratio to baseline per workload and system](${reportName(results)}.svg)`);
    out.push('');

    out.push('## Median ops/s');
    out.push('');
    out.push(
      table(
        ['system', ...ws.map((w) => `${w} ${results.workloads[w].unit}`)],
        sys.map((s) => [s, ...ws.map((w) => cellText(sums[w][s], (c) => fmtOps(c.opsPerSec)))]),
      ),
    );
    out.push('');
    out.push('## × baseline (median of per-pair ratios)');
    out.push('');
    out.push(
      table(
        ['system', ...ws],
        sys.map((s) => [s, ...ws.map((w) => cellText(sums[w][s], (c) => fmtRatio(c.ratio)))]),
      ),
    );
    out.push('');
    out.push('## rxchan against the best peer');
    out.push('');
    out.push(
      table(
        ['workload', 'rxchan × baseline', 'best peer', 'peer × baseline', 'rxchan ÷ best peer'],
        ws.map((w) => {
          const c = sums[w].rxchan;
          const best = bestPeer(sums, w);
          const rx = c !== undefined && c.failure === null ? c.ratio : null;
          return [
            w,
            fmtRatio(rx),
            best === null ? '—' : best.name,
            best === null ? '—' : fmtRatio(best.ratio),
            best === null || rx === null ? '—' : fmtRatio(rx / best.ratio),
          ];
        }),
      ),
    );
    out.push('');
  }

  if (sums.W6 !== undefined) {
    out.push('## W6: retained heap per select');
    out.push('');
    out.push(
      'Heap after the loop minus heap before it, each measured after gc(), three event-loop turns and gc() again; divided by the number of selects. A timer that outlives its select shows up here.',
    );
    out.push('');
    out.push(
      table(
        ['system', 'selects/s', '× baseline', 'bytes / select'],
        Object.entries(sums.W6).map(([s, c]) => [
          s,
          cellText(c, (x) => fmtOps(x.opsPerSec)),
          cellText(c, (x) => fmtRatio(x.ratio)),
          cellText(c, (x) => fmtBytes(x.bytesPerSelect)),
        ]),
      ),
    );
    out.push('');
  }

  if (sums.M1 !== undefined) {
    out.push('## M1: memory per parked sender');
    out.push('');
    out.push(
      `${results.workloads.M1.n} senders parked on 100 unbuffered channels; settled heap after minus before, per sender. "send" is a bare pending send whose handle is dropped; "task" is an async function (js-csp: a go process) suspended in its send. js-csp (\`putAsync\`) and chan (\`ch(v)\`) make no promise for a bare send, so their "send" column is not comparable with the promise-based systems.`,
    );
    out.push('');
    out.push(
      table(
        ['system', 'bytes / parked send', 'bytes / parked task'],
        Object.entries(sums.M1).map(([s, c]) => [
          s,
          cellText(c, (x) => fmtBytes(x.bytesPerSend)),
          cellText(c, (x) => fmtBytes(x.bytesPerTask)),
        ]),
      ),
    );
    out.push('');
  }

  if (sums.S1 !== undefined) {
    out.push('## S1: starvation');
    out.push('');
    out.push(
      `Two tasks ping-pong on unbuffered channels for ${results.workloads.S1.n} ms. A setTimeout(0) and a setImmediate scheduled just before the ping-pong measure how late they fire. Without preemption they wait for the whole ping-pong: timers and I/O starve while channel traffic keeps the microtask queue busy.`,
    );
    out.push('');
    out.push(
      table(
        [
          'system',
          'round trips/s',
          '× baseline',
          'ping-pong ms',
          'setTimeout(0) delay ms',
          'setImmediate delay ms',
        ],
        Object.entries(sums.S1).map(([s, c]) => [
          s,
          cellText(c, (x) => fmtOps(x.opsPerSec)),
          cellText(c, (x) => fmtRatio(x.ratio)),
          cellText(c, (x) => x.pingPongMs.toFixed(0)),
          cellText(c, (x) => x.timerDelayMs.toFixed(1)),
          cellText(c, (x) => x.immediateDelayMs.toFixed(1)),
        ]),
      ),
    );
    out.push('');
    out.push(
      'The opt-in remedy is `yieldEvery(n)` from the core: **rxchan-yield** is the same ping-pong with both tasks awaiting a pause from `yieldEvery(1000)` after each round trip, so timers and I/O get a turn every 1000 operations. Its row shows the delays that remain and what the pauses cost in round trips per second.',
    );
    out.push('');
  }

  if (w7 !== null) {
    out.push('## W7: RxJS bridge, workerPool against mergeMap(work, 4)');
    out.push('');
    out.push(
      `A synchronous Observable of 0 .. N-1 (\`from(array)\` without the array) through a pool of 4 workers running \`async (v) => v * 2\`, against \`mergeMap(work, 4)\` on the same source; every result must be twice a distinct source value. **rxchan** is \`workerPool(work, { concurrency: 4, capacity: 16, overflow: 'drop-oldest' })\`: the source cannot be slowed down, so all but about 20 values are dropped and its values/s counts *source values taken*, not values worked on (it must keep the newest 16). **rxchan-from** is the lossless form, \`workerPoolFrom(ch, work, { concurrency: 4 })\` with the producer \`if (!ch.trySend(v)) await ch.send(v)\` on an unbuffered channel: all N values are worked on, as with mergeMap. **× mergeMap** is the median of per-pair ratios against a mergeMap run just before; mergeMap's buffer drain is quadratic on a synchronous source, so it does not run at the largest size. Heap figures are in MiB over the settled heap before the run. **Peak heap** is the highest V8 used-heap sample (\`heapUsed\`; every 10k source values, every 10k results and every 5 ms), garbage included, so it follows the young generation's size (5–15 MiB from run to run) more than N. **Peak live** is the highest used heap right after a \`gc()\` at ten points spread over the source and after its last value (where an unbounded buffer is fullest; the gc() time is not counted in values/s): what the pipeline holds. The target's "flat" is on peak live: at most 1.5× plus 1 MiB from ${fmtN(w7[0].n)} to ${fmtN(w7.at(-1).n)}.`,
    );
    out.push('');
    out.push(
      table(
        [
          'N',
          'system',
          results.workloads.W7.unit,
          '× mergeMap',
          'peak heap MiB',
          'peak live MiB',
          'results',
        ],
        w7.flatMap((z) =>
          w7Systems
            .filter((s) => z.sums[s] !== undefined)
            .map((s) => {
              const c = z.sums[s];
              return [
                fmtN(z.n),
                s,
                cellText(c, (x) => fmtOps(x.opsPerSec)),
                cellText(c, (x) =>
                  s === results.workloads.W7.reference ? '1' : fmtRatio(x.ratio),
                ),
                cellText(c, (x) => fmtMiB(x.peakHeapBytes)),
                cellText(c, (x) => fmtMiB(x.peakLiveBytes, 2)),
                cellText(c, (x) => String(x.results)),
              ];
            }),
        ),
      ),
    );
    out.push('');
  }

  out.push('## Targets (issue 3)');
  out.push('');
  out.push(table(['target', 'measured', 'met'], targets(sums, w7)));
  out.push('');
  for (const w of workloadOrder) {
    if (results.workloads[w]?.unavailable) out.push(`- ${w}: ${results.workloads[w].unavailable}.`);
  }
  if (failures.length > 0) {
    out.push('');
    out.push('## Failures');
    out.push('');
    out.push(
      '¹ A failed cell: the system crashed, stalled, timed out or returned a wrong checksum in at least one run; no number is reported for it.',
    );
    out.push('');
    out.push(...failures);
  }
  out.push('');
  out.push('## Systems');
  out.push('');
  for (const s of [...new Set([...sys, ...w7Systems])]) out.push(`- **${s}**: ${descriptions[s]}`);
  out.push('');
  return out.join('\n');
}

const COLORS = {
  baseline: '#888888',
  'baseline-sync': '#bbbbbb',
  rxchan: '#1f5fbf',
  'rxchan-sync': '#4f8fe0',
  'rxchan-iter': '#8db8ef',
  'rxchan-reuse': '#2a9d8f',
  'js-csp': '#e76f51',
  medium: '#f4a261',
  '@thi.ng/csp': '#e9c46a',
  'async-channel': '#b5838d',
  chan: '#9d4edd',
};

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Horizontal grouped bars: one group per workload, one bar per system. */
export function renderSvg(results) {
  const sums = allSummaries(results);
  const ws = THROUGHPUT.filter((w) => sums[w] !== undefined);
  const barH = 13;
  const gap = 3;
  const groupGap = 18;
  const left = 190;
  const plotW = 560;
  const top = 62;
  let maxRatio = 1;
  for (const w of ws) {
    for (const c of Object.values(sums[w])) {
      if (c.failure === null && c.ratio !== null) maxRatio = Math.max(maxRatio, c.ratio);
    }
  }
  const axisMax = Math.ceil(maxRatio * 2) / 2;
  const x = (r) => left + (r / axisMax) * plotW;
  const parts = [];
  let y = top;
  for (const w of ws) {
    const entries = systemNames.filter((s) => sums[w][s] !== undefined);
    parts.push(
      `<text x="8" y="${y + 11}" font-weight="bold">${esc(w)}</text>` +
        `<text x="8" y="${y + 25}" font-size="10" fill="#555">${esc(results.workloads[w].title.slice(0, 26))}</text>`,
    );
    for (const s of entries) {
      const c = sums[w][s];
      parts.push(
        `<text x="${left - 6}" y="${y + barH - 3}" text-anchor="end" font-size="11">${esc(s)}</text>`,
      );
      if (c.failure !== null || c.ratio === null) {
        parts.push(
          `<text x="${left + 4}" y="${y + barH - 3}" font-size="11" fill="#b00">failed</text>`,
        );
      } else {
        const wBar = Math.max(1, x(c.ratio) - left);
        parts.push(
          `<rect x="${left}" y="${y}" width="${wBar.toFixed(1)}" height="${barH}" fill="${COLORS[s] ?? '#666'}"/>` +
            `<text x="${(left + wBar + 4).toFixed(1)}" y="${y + barH - 3}" font-size="10">${c.ratio.toFixed(2)}</text>`,
        );
      }
      y += barH + gap;
    }
    y += groupGap;
  }
  const height = y + 20;
  const grid = [];
  for (let t = 0; t <= axisMax + 1e-9; t += 0.5) {
    grid.push(
      `<line x1="${x(t)}" y1="${top - 6}" x2="${x(t)}" y2="${y - groupGap}" stroke="#ddd"/>` +
        `<text x="${x(t)}" y="${top - 10}" font-size="10" text-anchor="middle">${t.toFixed(1)}</text>`,
    );
  }
  grid.push(
    `<line x1="${x(1)}" y1="${top - 6}" x2="${x(1)}" y2="${y - groupGap}" stroke="#333" stroke-width="1.5"/>`,
    `<line x1="${x(0.9)}" y1="${top - 6}" x2="${x(0.9)}" y2="${y - groupGap}" stroke="#c00" stroke-dasharray="4 3"/>`,
  );
  const width = left + plotW + 60;
  const subtitle = `${results.date.slice(0, 10)}, ${results.machine.cpu} x${results.machine.cores}, node ${results.machine.node}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="8" y="16" font-size="13" font-weight="bold">Throughput × baseline (median of per-pair ratios; &gt; 1 = faster)</text>`,
    `<text x="8" y="32" font-size="11" fill="#333">Black line: baseline (1.0); red dashed: the 0.9× target. ${esc(subtitle)}</text>`,
    ...grid,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

/** The report's file name without extension: steady-state runs get their own. */
export function reportName(results) {
  return results.opts.warm ? 'benchmarks-warm' : 'benchmarks';
}

export function writeReport(repoRoot, results, markdown, svg) {
  const dir = join(repoRoot, 'docs');
  mkdirSync(dir, { recursive: true });
  const name = reportName(results);
  writeFileSync(join(dir, `${name}.md`), markdown);
  writeFileSync(join(dir, `${name}.svg`), svg);
  return [`docs/${name}.md`, `docs/${name}.svg`];
}
