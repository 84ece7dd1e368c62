// Where a select's time goes: `npm run bench:select [-- --runs N --n N --cold]`.
//
// W4's shape (one consumer selecting over 4 unbuffered channels, each fed by
// its own producer) run with selects that add one feature at a time, from
// the baseline's to rxchan's, so the report can say what each costs:
//
//   baseline        bench/baseline.mjs: its channels, and a select that
//                   checks an array of channels from a random start (not
//                   uniform among ready cases) and returns { index, value }
//   array-rotation  rxchan channels, the same select as the baseline
//   array-uniform   rxchan channels; counts the ready channels, then draws
//                   one uniformly (what Go and rxchan promise)
//   keyed-uniform   the same over an object of named cases (for-in), with
//                   the result { key, value, ok }; no validation
//   select-reused   rxchan's select, one cases object reused every time
//   select-inline   rxchan's select with the cases written inline (W4's row)
//
// Each run is a fresh process that first runs its variant once, untimed
// (steady state; --cold skips that), paired with a baseline run just
// before it; printed are the median selects/s and the median of per-pair
// ratios to the baseline. Every run checks the sum and the lanes.
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const self = fileURLToPath(import.meta.url);

async function producer(ch, from, count) {
  for (let i = from; i < from + count; i++) await ch.send(i);
}

/** The lane a keyed result came from, read as user code reads it. */
function laneOf(key) {
  switch (key) {
    case 'a':
      return 0;
    case 'b':
      return 1;
    case 'c':
      return 2;
    case 'd':
      return 3;
    default:
      throw new Error(`unknown case ${key}`);
  }
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

function verify(n, sum, lanes) {
  if (sum !== (n * (n - 1)) / 2 || lanes !== (n / 4) * 6) throw new Error('checksum mismatch');
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

// One consumer loop per variant, each written out as W4's is, so that no
// shared helper call sits on the measured path.
const loops = {
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

/** Child mode: one timed run (after one untimed run unless cold); prints selects/s. */
async function child(variant, n, cold) {
  const loop = loops[variant];
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
  const variants = Object.keys(loops);
  let runs = 11;
  let n = 400_000;
  let cold = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') runs = Number(argv[++i]);
    else if (argv[i] === '--n') n = Number(argv[++i]);
    else if (argv[i] === '--cold') cold = true;
    else throw new Error(`unknown flag ${argv[i]}`);
  }
  if (!(Number.isInteger(runs) && runs >= 1)) throw new Error('--runs must be >= 1');
  if (!(Number.isInteger(n) && n >= 4 && n % 4 === 0))
    throw new Error('--n must be a multiple of 4');
  const { bundleRxchan } = await import('./bundle.mjs');
  const bundle = await bundleRxchan();
  const env = { ...process.env, RXCHAN_ENTRY: bundle.index };
  const once = (variant) =>
    Number(
      execFileSync(
        process.execPath,
        [self, '--child', variant, String(n), cold ? 'cold' : 'warm'],
        {
          env,
        },
      ).toString(),
    );

  console.log(`select cost breakdown, W4 shape, n=${n}, ${runs} runs, ${cold ? 'cold' : 'warm'}`);
  const rates = Object.fromEntries(variants.map((v) => [v, []]));
  const ratios = Object.fromEntries(variants.map((v) => [v, []]));
  for (let r = 0; r < runs; r++) {
    for (const variant of variants.slice(1)) {
      const base = once('baseline');
      const rate = once(variant);
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
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], Number(process.argv[4]), process.argv[5] === 'cold');
} else {
  await main(process.argv.slice(2));
}
