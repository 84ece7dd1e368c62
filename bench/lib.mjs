// Helpers shared by the workload implementations in bench/systems/.

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
