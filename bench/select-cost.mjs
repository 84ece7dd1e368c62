// Where a select's time goes:
//   npm run bench:select [-- --shape W4|W6 --runs N --n N --cold]
//
// Two workloads' shapes, each run with selects that add one feature at a
// time, from the baseline's to rxchan's, so the report can say what each
// costs. W4: one consumer selecting over 4 unbuffered channels, each fed by
// its own producer (every select finds several cases ready). W6: a select
// between a channel that is always ready and a one-hour timeout.
//
// W4 variants:
//
//   baseline        bench/baseline.mjs: its channels, and a select that
//                   checks an array of channels from a random start (not
//                   uniform among ready cases) and returns { index, value }
//   array-rotation  rxchan channels, the same select as the baseline
//   array-uniform   rxchan channels; counts the ready channels, then draws
//                   one uniformly (what Go and rxchan promise)
//   prepared-keyed  the same over arrays of keys and channels made once,
//                   with the result { key, value, ok } (a select prepared
//                   once, as an API could offer)
//   keyed-uniform   the same over an object of named cases (for-in), with
//                   the result { key, value, ok }; no validation
//   select-reused   rxchan's select, one cases object reused every time
//   select-inline   rxchan's select with the cases written inline (W4's row)
//
// W6 variants (the timeout never fires, nor is it armed: the select never
// parks):
//   baseline        the baseline's select over [ch] with a timeout argument
//   array           rxchan channel, a select over an array of channels
//   prepared-keyed  the same over arrays of keys and channels made once,
//                   result { key, value, ok }
//   keyed           rxchan channel, the cases object { v, t } read with
//                   for-in, kind tags checked, result { key, value, ok }
//   select-reused   rxchan's select, one cases object reused every time
//   select-inline   rxchan's select with the cases written inline (W6's row)
//
// Each run is a fresh process that first runs its variant once, untimed
// (steady state; --cold skips that), paired with a baseline run just
// before it; printed are the median selects/s and the median of per-pair
// ratios to the baseline. Every run checks the sum and the lanes.
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { laneOf, workloads } from './workloads.mjs';

const self = fileURLToPath(import.meta.url);

async function producer(ch, from, count) {
  for (let i = from; i < from + count; i++) await ch.send(i);
}

/**
 * Starts the four producers (n / 4 values each, lane p sending p * n/4 ...)
 * and returns the checker of one received value.
 */
function start(n, chans) {
  const per = n / 4;
  chans.forEach((ch, p) => producer(ch, p * per, per));
  return (value, lane) => {
    if (Math.floor(value / per) !== lane) throw new Error(`value ${value} on lane ${lane}`);
  };
}

/** Throws unless a W4-shaped run matches the W4 workload's checksum. */
function verify(n, sum, lanes) {
  verifyAs('W4', n, { count: n, sum, lanes });
}

/** Throws unless `result` has every field the workload's checksum expects. */
function verifyAs(workloadId, n, result) {
  const expected = workloads[workloadId].expect(n);
  for (const [field, value] of Object.entries(expected)) {
    if (result[field] !== value) {
      throw new Error(`${workloadId} checksum: ${field}=${result[field]}, expected ${value}`);
    }
  }
}

// The selects below never park: in this workload every producer is parked
// in its send whenever the consumer selects, so a value is always ready.
function rotationSelect(chans) {
  const n = chans.length;
  const start = Math.floor(Math.random() * n);
  for (let k = 0; k < n; k++) {
    const i = (start + k) % n;
    const ch = chans[i];
    if (ch.canReceive()) return Promise.resolve({ index: i, value: ch.poll() });
  }
  throw new Error('nothing ready');
}

function uniformSelect(chans) {
  let ready = 0;
  for (let i = 0; i < chans.length; i++) if (chans[i].canReceive()) ready++;
  let skip = Math.floor(Math.random() * ready);
  for (let i = 0; i < chans.length; i++) {
    const ch = chans[i];
    if (ch.canReceive() && skip-- === 0) return Promise.resolve({ index: i, value: ch.poll() });
  }
  throw new Error('nothing ready');
}

/**
 * A select over cases prepared once as parallel arrays of keys and
 * channels: uniform choice and a keyed result, without walking an object.
 */
function preparedSelect(keys, chans) {
  let ready = 0;
  for (let i = 0; i < chans.length; i++) if (chans[i].canReceive()) ready++;
  let skip = Math.floor(Math.random() * ready);
  for (let i = 0; i < chans.length; i++) {
    const ch = chans[i];
    if (ch.canReceive() && skip-- === 0) {
      return Promise.resolve({ key: keys[i], value: ch.poll(), ok: true });
    }
  }
  throw new Error('nothing ready');
}

function keyedSelect(cases) {
  let ready = 0;
  for (const key in cases) if (cases[key].channel.canReceive()) ready++;
  let skip = Math.floor(Math.random() * ready);
  for (const key in cases) {
    const ch = cases[key].channel;
    if (ch.canReceive() && skip-- === 0) {
      return Promise.resolve({ key, value: ch.poll(), ok: true });
    }
  }
  throw new Error('nothing ready');
}

// One consumer loop per variant, each written out as the workload's is, so
// that no shared helper call sits on the measured path.
const w4 = {
  async baseline(n, { Chan, select }) {
    const chans = [new Chan(), new Chan(), new Chan(), new Chan()];
    const check = start(n, chans);
    let sum = 0;
    let lanes = 0;
    for (let i = 0; i < n; i++) {
      const r = await select(chans);
      check(r.value, r.index);
      sum += r.value;
      lanes += r.index;
    }
    verify(n, sum, lanes);
  },

  async 'array-rotation'(n, { chan }) {
    const chans = [chan(), chan(), chan(), chan()];
    const check = start(n, chans);
    let sum = 0;
    let lanes = 0;
    for (let i = 0; i < n; i++) {
      const r = await rotationSelect(chans);
      check(r.value, r.index);
      sum += r.value;
      lanes += r.index;
    }
    verify(n, sum, lanes);
  },

  async 'array-uniform'(n, { chan }) {
    const chans = [chan(), chan(), chan(), chan()];
    const check = start(n, chans);
    let sum = 0;
    let lanes = 0;
    for (let i = 0; i < n; i++) {
      const r = await uniformSelect(chans);
      check(r.value, r.index);
      sum += r.value;
      lanes += r.index;
    }
    verify(n, sum, lanes);
  },

  async 'prepared-keyed'(n, { chan }) {
    const chans = [chan(), chan(), chan(), chan()];
    const check = start(n, chans);
    const keys = ['a', 'b', 'c', 'd'];
    let sum = 0;
    let lanes = 0;
    for (let i = 0; i < n; i++) {
      const r = await preparedSelect(keys, chans);
      const lane = laneOf(r.key);
      check(r.value, lane);
      sum += r.value;
      lanes += lane;
    }
    verify(n, sum, lanes);
  },

  async 'keyed-uniform'(n, { chan, onReceive }) {
    const [a, b, c, d] = [chan(), chan(), chan(), chan()];
    const check = start(n, [a, b, c, d]);
    const cases = { a: onReceive(a), b: onReceive(b), c: onReceive(c), d: onReceive(d) };
    let sum = 0;
    let lanes = 0;
    for (let i = 0; i < n; i++) {
      const r = await keyedSelect(cases);
      const lane = laneOf(r.key);
      check(r.value, lane);
      sum += r.value;
      lanes += lane;
    }
    verify(n, sum, lanes);
  },

  async 'select-reused'(n, { chan, onReceive, select }) {
    const [a, b, c, d] = [chan(), chan(), chan(), chan()];
    const check = start(n, [a, b, c, d]);
    const cases = { a: onReceive(a), b: onReceive(b), c: onReceive(c), d: onReceive(d) };
    let sum = 0;
    let lanes = 0;
    for (let i = 0; i < n; i++) {
      const r = await select(cases);
      const lane = laneOf(r.key);
      check(r.value, lane);
      sum += r.value;
      lanes += lane;
    }
    verify(n, sum, lanes);
  },

  async 'select-inline'(n, { chan, onReceive, select }) {
    const [a, b, c, d] = [chan(), chan(), chan(), chan()];
    const check = start(n, [a, b, c, d]);
    let sum = 0;
    let lanes = 0;
    for (let i = 0; i < n; i++) {
      const r = await select({
        a: onReceive(a),
        b: onReceive(b),
        c: onReceive(c),
        d: onReceive(d),
      });
      const lane = laneOf(r.key);
      check(r.value, lane);
      sum += r.value;
      lanes += lane;
    }
    verify(n, sum, lanes);
  },
};

const HOUR = 3_600_000;

function arraySelect(chans) {
  for (let i = 0; i < chans.length; i++) {
    const ch = chans[i];
    if (ch.canReceive()) return Promise.resolve({ index: i, value: ch.poll() });
  }
  throw new Error('nothing ready');
}

/** A keyed select that knows only receive cases (kind 0) and never parks. */
function keyedOnce(cases) {
  let ready = 0;
  let chosenKey = '';
  let chosen;
  for (const key in cases) {
    const c = cases[key];
    if (c.kind === 0 && c.channel.canReceive() && ready++ === 0) {
      chosenKey = key;
      chosen = c;
    }
  }
  if (ready !== 1) throw new Error(`${ready} cases ready`);
  return Promise.resolve({ key: chosenKey, value: chosen.channel.poll(), ok: true });
}

function verifyW6(n, sum) {
  verifyAs('W6', n, { count: n, sum });
}

const w6 = {
  async baseline(n, { Chan, select, TIMEOUT }) {
    const ch = new Chan(1);
    const chans = [ch];
    let sum = 0;
    for (let i = 0; i < n; i++) {
      ch.trySend(i);
      const r = await select(chans, HOUR);
      if (r.index === TIMEOUT) throw new Error('timeout fired');
      sum += r.value;
    }
    verifyW6(n, sum);
  },

  async array(n, { chan }) {
    const ch = chan(1);
    const chans = [ch];
    let sum = 0;
    for (let i = 0; i < n; i++) {
      ch.trySend(i);
      const r = await arraySelect(chans);
      sum += r.value;
    }
    verifyW6(n, sum);
  },

  async 'prepared-keyed'(n, { chan }) {
    const ch = chan(1);
    const keys = ['v'];
    const chans = [ch];
    let sum = 0;
    for (let i = 0; i < n; i++) {
      ch.trySend(i);
      const r = await preparedSelect(keys, chans);
      if (r.key !== 'v') throw new Error(`case ${r.key} fired`);
      sum += r.value;
    }
    verifyW6(n, sum);
  },

  async keyed(n, { chan, onReceive, onTimeout }) {
    const ch = chan(1);
    const cases = { v: onReceive(ch), t: onTimeout(HOUR) };
    let sum = 0;
    for (let i = 0; i < n; i++) {
      ch.trySend(i);
      const r = await keyedOnce(cases);
      if (r.key !== 'v') throw new Error(`case ${r.key} fired`);
      sum += r.value;
    }
    verifyW6(n, sum);
  },

  async 'select-reused'(n, { chan, onReceive, onTimeout, select }) {
    const ch = chan(1);
    const cases = { v: onReceive(ch), t: onTimeout(HOUR) };
    let sum = 0;
    for (let i = 0; i < n; i++) {
      ch.trySend(i);
      const r = await select(cases);
      if (r.key !== 'v') throw new Error(`case ${r.key} fired`);
      sum += r.value;
    }
    verifyW6(n, sum);
  },

  async 'select-inline'(n, { chan, onReceive, onTimeout, select }) {
    const ch = chan(1);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      ch.trySend(i);
      const r = await select({ v: onReceive(ch), t: onTimeout(HOUR) });
      if (r.key !== 'v') throw new Error(`case ${r.key} fired`);
      sum += r.value;
    }
    verifyW6(n, sum);
  },
};

const shapes = { W4: w4, W6: w6 };

/** Child mode: one timed run (after one untimed run unless cold); prints selects/s. */
async function child(shape, variant, n, cold) {
  const loop = shapes[shape]?.[variant];
  if (loop === undefined) throw new Error(`unknown variant ${variant}`);
  const lib =
    variant === 'baseline'
      ? await import('./baseline.mjs')
      : await import(pathToFileURL(process.env.RXCHAN_ENTRY).href);
  if (!cold) await loop(n, lib);
  const t0 = performance.now();
  await loop(n, lib);
  process.stdout.write(`${(n / (performance.now() - t0)) * 1000}\n`);
}

function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(argv) {
  let runs = 11;
  let n = 400_000;
  let cold = false;
  let only = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--shape') only = argv[++i]?.toUpperCase();
    else if (argv[i] === '--runs') runs = Number(argv[++i]);
    else if (argv[i] === '--n') n = Number(argv[++i]);
    else if (argv[i] === '--cold') cold = true;
    else throw new Error(`unknown flag ${argv[i]}`);
  }
  if (!(Number.isInteger(runs) && runs >= 1)) throw new Error('--runs must be >= 1');
  if (!(Number.isInteger(n) && n >= 4 && n % 4 === 0))
    throw new Error('--n must be a multiple of 4');
  if (only !== null && shapes[only] === undefined) throw new Error('--shape must be W4 or W6');
  const { bundleRxchan } = await import('./bundle.mjs');
  const bundle = await bundleRxchan();
  const env = { ...process.env, RXCHAN_ENTRY: bundle.index };
  const once = (shape, variant) =>
    Number(
      execFileSync(
        process.execPath,
        [self, '--child', shape, variant, String(n), cold ? 'cold' : 'warm'],
        { env },
      ).toString(),
    );

  for (const shape of only === null ? Object.keys(shapes) : [only]) {
    const variants = Object.keys(shapes[shape]);
    console.log(
      `${shape} shape, select cost breakdown: n=${n}, ${runs} runs, ${cold ? 'cold' : 'warm'}`,
    );
    const rates = Object.fromEntries(variants.map((v) => [v, []]));
    const ratios = Object.fromEntries(variants.map((v) => [v, []]));
    for (let r = 0; r < runs; r++) {
      for (const variant of variants.slice(1)) {
        const base = once(shape, 'baseline');
        const rate = once(shape, variant);
        rates.baseline.push(base);
        rates[variant].push(rate);
        ratios[variant].push(rate / base);
      }
    }
    console.log('| select | selects/s | × baseline |');
    console.log('|---|---|---|');
    for (const variant of variants) {
      const ratio = variant === 'baseline' ? 1 : median(ratios[variant]);
      console.log(
        `| ${variant} | ${(median(rates[variant]) / 1e6).toFixed(2)} M | ${ratio.toFixed(2)} |`,
      );
    }
    console.log('');
  }
}

if (process.argv[2] === '--child') {
  const [shape, variant, n, mode] = process.argv.slice(3);
  await child(shape, variant, Number(n), mode === 'cold');
} else {
  await main(process.argv.slice(2));
}
