// Helpers shared by the workload implementations in bench/systems/.
import v8 from 'node:v8';
import { Observable } from 'rxjs';
import { W7_CAPACITY } from './workloads.mjs';

/** Number of channels the parked senders of M1 are spread over. */
export const M1_CHANNELS = 100;

/** One hour in milliseconds: the W6 timeout, which never fires. */
export const HOUR = 3_600_000;

/** Counts M1 tasks that got past their send; reset by each M1 run. */
export const m1 = { tasksDone: 0 };

/**
 * Heap in use once garbage is gone: gc(), three event-loop turns (so
 * FinalizationRegistry callbacks and cleared timers are processed), gc()
 * again. Needs `node --expose-gc`.
 */
export async function settledHeap() {
  if (typeof globalThis.gc !== 'function') throw new Error('run this workload with --expose-gc');
  globalThis.gc();
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

/** Lets already-queued microtasks and a few macrotasks run. */
export async function settle() {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * The M1 procedure, the same for every system. Phase 1 parks `n` bare sends
 * (no task around them) and phase 2 parks `n` tasks, each an async function
 * suspended in its send; each phase measures the settled heap before and
 * after parking, then drains every channel to check the values.
 *
 * `sys.make()` makes an unbuffered channel (or the smallest the library
 * has); `sys.park(ch, v)` starts a send and drops its handle; `sys.task(ch,
 * v)` starts a task that sends and then increments `m1.tasksDone`;
 * `sys.drain(ch, k)` resolves to the sum of `k` values received from `ch`.
 */
export async function measureParked(n, sys) {
  const per = n / M1_CHANNELS;
  let count = 0;
  let sum = 0;
  const bytes = [];
  m1.tasksDone = 0;
  for (const start of [sys.park, sys.task]) {
    const chans = [];
    for (let c = 0; c < M1_CHANNELS; c++) chans.push(sys.make());
    const before = await settledHeap();
    for (let i = 0; i < n; i++) start(chans[i % M1_CHANNELS], i);
    const after = await settledHeap();
    bytes.push((after - before) / n);
    for (const ch of chans) {
      sum += await sys.drain(ch, per);
      count += per;
    }
    await settle();
  }
  return {
    count,
    sum,
    tasksDone: m1.tasksDone,
    bytesPerSend: bytes[0],
    bytesPerTask: bytes[1],
  };
}

/**
 * The S1 probe: schedules a setTimeout(0) and a setImmediate, then runs
 * `pingPong(ms)` (which must loop on microtasks for about `ms`), and reports
 * how late each probe fired, measured from when it was scheduled.
 */
export async function starvationProbe(ms, pingPong) {
  const scheduled = performance.now();
  const timer = new Promise((resolve) => setTimeout(() => resolve(performance.now()), 0));
  const immediate = new Promise((resolve) => setImmediate(() => resolve(performance.now())));
  const t0 = performance.now();
  const { count, sum } = await pingPong(ms, t0);
  const elapsed = performance.now() - t0;
  const timerAt = await timer;
  const immediateAt = await immediate;
  return {
    count,
    sum,
    ms: elapsed,
    timerDelayMs: timerAt - scheduled,
    immediateDelayMs: immediateAt - scheduled,
  };
}

/** W7: the work every pool or `mergeMap` applies to a value. */
export const double = async (v) => v * 2;

/** W7: heap is sampled every this many source values and every this many results. */
export const SAMPLE_EVERY = 10_000;

/** W7: how many times a run measures its live heap (with a gc()) while the source runs. */
const LIVE_SAMPLES = 10;

/**
 * W7: a synchronous Observable of 0 .. n-1 (what `from(array)` emits, with
 * no array). It calls `probe()` every 10k values and `probe(true)` after the
 * last, so the heap is seen while the source runs: a synchronous source
 * never lets a timer fire.
 */
export function syncSource(n, probe) {
  return new Observable((subscriber) => {
    for (let i = 0; i < n && !subscriber.closed; i++) {
      subscriber.next(i);
      if (i % SAMPLE_EVERY === 0) probe();
    }
    probe(true);
    subscriber.complete();
  });
}

/** W7: resolves when `results$` completes, passing each value to `onResult`. */
export function drainObservable(results$, onResult) {
  return new Promise((resolve, reject) => {
    results$.subscribe({ next: onResult, error: reject, complete: resolve });
  });
}

/**
 * The W7 procedure, the same for every system. `start(onResult, probe)`
 * feeds 0 .. n-1 through the system's pool of `double`, passes each result to
 * `onResult`, and resolves when the results are complete; its source calls
 * `probe()` every 10k values and `probe(true)` after the last one.
 *
 * Two heap figures, both minus the settled heap before the run (needs
 * --expose-gc). `peakHeapBytes`: the highest sample of V8's used heap (the
 * figure `process.memoryUsage().heapUsed` reports) taken at each probe,
 * every 10k results and every 5 ms; it includes garbage, so it moves with
 * the young generation's size (about 5-15 MiB here) more than with N.
 * `peakLiveBytes`: the highest used heap right after a `gc()`, taken at
 * about ten probes spread over the source and at its last value (where
 * an unbounded buffer is fullest); the time spent in these gc() calls is
 * not counted in `ms`.
 *
 * Every result must be twice a distinct source value; `bad` counts those
 * that are not. `tail` counts the newest `W7_CAPACITY` source values that
 * came out (a dropping pool must keep them). `ms` covers the pipeline only.
 */
export async function measurePool(n, start) {
  const seen = new Uint8Array(n);
  const liveEvery = Math.max(1, Math.round(n / SAMPLE_EVERY / LIVE_SAMPLES));
  let count = 0;
  let sum = 0;
  let bad = 0;
  let probes = 0;
  let gcMs = 0;
  const before = await settledHeap();
  let peak = before;
  let peakLive = before;
  const sample = () => {
    const used = v8.getHeapStatistics().used_heap_size;
    if (used > peak) peak = used;
  };
  const probe = (last = false) => {
    sample();
    if (!last && probes++ % liveEvery !== 0) return;
    const t = performance.now();
    globalThis.gc();
    peakLive = Math.max(peakLive, v8.getHeapStatistics().used_heap_size);
    gcMs += performance.now() - t;
  };
  const onResult = (r) => {
    count++;
    sum += r;
    const v = r / 2;
    if (Number.isInteger(v) && v >= 0 && v < n && seen[v] === 0) seen[v] = 1;
    else bad++;
    if (count % SAMPLE_EVERY === 0) sample();
  };
  const timer = setInterval(sample, 5);
  const t0 = performance.now();
  await start(onResult, probe);
  const ms = performance.now() - t0 - gcMs;
  sample();
  clearInterval(timer);
  let tail = 0;
  for (let v = Math.max(0, n - W7_CAPACITY); v < n; v++) tail += seen[v];
  return {
    count,
    sum,
    bad,
    tail,
    ms,
    peakHeapBytes: peak - before,
    peakLiveBytes: peakLive - before,
  };
}
