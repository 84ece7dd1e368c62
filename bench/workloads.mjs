// The workloads of issue 3: their sizes, what one "op" is, and the checksum
// every run must reproduce. The code for each system lives in bench/systems/.

/** Sum of the first `n` primes, computed without channels. */
function sumOfPrimes(n) {
  let sum = 0;
  let found = 0;
  for (let k = 2; found < n; k++) {
    let isPrime = true;
    for (let d = 2; d * d <= k; d++) {
      if (k % d === 0) {
        isPrime = false;
        break;
      }
    }
    if (isPrime) {
      sum += k;
      found++;
    }
  }
  return sum;
}

const triangle = (n) => (n * (n - 1)) / 2;

/** W7: the capacity of `workerPool` in the dropping variant (its default). */
export const W7_CAPACITY = 16;

/** W7: how many source values a worker pool or `mergeMap` works on at once. */
export const W7_CONCURRENCY = 4;

/**
 * W4: the index of the channel a value arrived on, from the key of the
 * select case that fired (cases a, b, c, d): a `switch`, as user code
 * reads a select result.
 */
export function laneOf(key) {
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
 * Each workload: `n` (full run) and `quickN` (smoke run); `expect(n, result,
 * system)` gives the fields the result must match exactly; `unit` names one
 * op; `gc` runs the child with --expose-gc. A workload with `sizes` (W7)
 * runs at each `{ n, paired }` instead of at `n`, and its ratios are taken
 * against `reference` (a system name) instead of the baseline; the reference
 * runs (each run paired with one of another system) only at the sizes marked
 * `paired: true`, and the other systems run alone at the rest.
 */
export const workloads = {
  W1: {
    title: 'unbuffered ping-pong',
    unit: 'round trips/s',
    n: 100_000,
    quickN: 2_000,
    expect: (n) => ({ count: n, sum: triangle(n) }),
  },
  W2: {
    title: 'buffered SPSC, capacity 128',
    unit: 'msgs/s',
    n: 1_000_000,
    quickN: 20_000,
    expect: (n) => ({ count: n, sum: triangle(n) }),
  },
  W3: {
    title: 'fan-in, 8 producers into 1 unbuffered channel',
    unit: 'msgs/s',
    // Total messages; each producer sends n / 8.
    n: 400_000,
    quickN: 8_000,
    expect: (n) => ({ count: n, sum: triangle(n) }),
  },
  W4: {
    title: 'select over 4 unbuffered channels, 4 producers',
    unit: 'selects/s',
    // Total messages; each producer sends n / 4.
    n: 200_000,
    quickN: 4_000,
    // `lanes` is the sum over received values of the index of the channel
    // they arrived on, so a value reported on the wrong case fails too.
    expect: (n) => ({ count: n, sum: triangle(n), lanes: (n / 4) * (0 + 1 + 2 + 3) }),
  },
  W5: {
    title: 'prime sieve, daisy chain of filter tasks',
    unit: 'primes/s',
    n: 1_000,
    quickN: 50,
    expect: (n) => ({ count: n, sum: sumOfPrimes(n) }),
  },
  W6: {
    title: 'select: ready channel vs 1-hour timeout',
    unit: 'selects/s',
    n: 100_000,
    quickN: 2_000,
    gc: true,
    expect: (n) => ({ count: n, sum: triangle(n) }),
  },
  W7: {
    title: 'RxJS bridge: workerPool vs mergeMap(work, 4), synchronous source',
    unit: 'values/s',
    reference: 'rxjs-mergeMap',
    // mergeMap's buffer drain is quadratic on a synchronous source (about
    // 0.7 s at 100k, 2.4 s at 200k, over the 60 s timeout at 1M), so it runs
    // at the two smaller sizes only.
    sizes: [
      { n: 100_000, paired: true },
      { n: 200_000, paired: true },
      { n: 1_000_000, paired: false },
    ],
    quickSizes: [
      { n: 2_000, paired: true },
      { n: 20_000, paired: false },
    ],
    n: 100_000,
    quickN: 2_000,
    gc: true,
    // Systems that may drop values (workerPool with `overflow: 'drop-oldest'`
    // under a source it cannot slow down): no count or sum to match, but every
    // result must be twice a distinct source value (`bad` counts the others),
    // and the newest `W7_CAPACITY` source values are never dropped.
    lossy: ['rxchan'],
    expect: (n, _r, system) =>
      workloads.W7.lossy.includes(system)
        ? { bad: 0, tail: Math.min(W7_CAPACITY, n) }
        : { count: n, sum: 2 * triangle(n), bad: 0 },
  },
  M1: {
    title: 'memory per parked sender (bare send, and task)',
    unit: 'parked/s',
    // Parked senders, spread over 100 channels (js-csp and @thi.ng/csp cap
    // a channel at 1024 pending writes, so every system gets the same spread).
    n: 100_000,
    quickN: 2_000,
    gc: true,
    // Both phases drain what they parked: 2n values, and n tasks finish.
    expect: (n) => ({ count: 2 * n, sum: 2 * triangle(n), tasksDone: n }),
  },
  S1: {
    title: 'starvation: timers during a 200 ms microtask ping-pong',
    unit: 'round trips/s',
    // Milliseconds of ping-pong.
    n: 200,
    quickN: 20,
    // The round-trip count depends on speed; the sum must match it.
    expect: (_n, r) => ({ sum: triangle(r.count) }),
  },
};

/** Workload ids in report order. */
export const workloadOrder = ['W1', 'W2', 'W3', 'W4', 'W5', 'W6', 'W7', 'M1', 'S1'];

/** Workloads that exist in the issue but cannot run yet, with the reason. */
export const unavailable = {};
