// Workloads for rxchan. The modules under test are the esbuild bundle of
// src/index.ts and src/rxjs.ts that bench/run.mjs writes before a run (or
// dist/ with --dist); their paths arrive in RXCHAN_ENTRY and
// RXCHAN_RXJS_ENTRY.
import { pathToFileURL } from 'node:url';
import {
  HOUR,
  SAMPLE_EVERY,
  double,
  drainObservable,
  m1,
  measureParked,
  measurePool,
  settledHeap,
  starvationProbe,
  syncSource,
} from '../lib.mjs';
import { W7_CAPACITY, W7_CONCURRENCY, laneOf } from '../workloads.mjs';

const entry = process.env.RXCHAN_ENTRY;
const rxjsEntry = process.env.RXCHAN_RXJS_ENTRY;
if (entry === undefined || rxjsEntry === undefined) {
  throw new Error('RXCHAN_ENTRY is not set (start benchmarks via run.mjs)');
}
const { chan, select, onReceive, onTimeout, yieldEvery, ChannelClosedError } = await import(
  pathToFileURL(entry).href
);
const { workerPool, workerPoolFrom } = await import(pathToFileURL(rxjsEntry).href);

async function pingPongTask(ping, pong) {
  for (;;) {
    let v;
    try {
      v = await ping.receive();
    } catch (error) {
      if (error instanceof ChannelClosedError) return;
      throw error;
    }
    await pong.send(v);
  }
}

async function producer(ch, from, count) {
  for (let i = from; i < from + count; i++) await ch.send(i);
}

async function sieveGenerate(ch) {
  for (let i = 2; ; i++) await ch.send(i);
}

async function sieveFilter(input, output, prime) {
  for (;;) {
    const v = await input.receive();
    if (v % prime !== 0) await output.send(v);
  }
}

async function sendTask(ch, v) {
  await ch.send(v);
  m1.tasksDone++;
}

async function drain(ch, k) {
  let sum = 0;
  for (let i = 0; i < k; i++) sum += await ch.receive();
  return sum;
}

const rxchan = {
  async W1(n) {
    const ping = chan();
    const pong = chan();
    const done = pingPongTask(ping, pong);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      await ping.send(i);
      sum += await pong.receive();
    }
    ping.close();
    await done;
    return { count: n, sum };
  },

  async W2(n) {
    const ch = chan(128);
    const produced = (async () => {
      for (let i = 0; i < n; i++) await ch.send(i);
      ch.close();
    })();
    let count = 0;
    let sum = 0;
    for (;;) {
      let v;
      try {
        v = await ch.receive();
      } catch (error) {
        if (error instanceof ChannelClosedError) break;
        throw error;
      }
      sum += v;
      count++;
    }
    await produced;
    return { count, sum };
  },

  async W3(n) {
    const ch = chan();
    const per = n / 8;
    for (let p = 0; p < 8; p++) producer(ch, p * per, per);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await ch.receive();
    return { count: n, sum };
  },

  // The cases object is written inline, as user code would in a loop.
  async W4(n) {
    const [a, b, c, d] = [chan(), chan(), chan(), chan()];
    const per = n / 4;
    [a, b, c, d].forEach((ch, p) => producer(ch, p * per, per));
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
      if (Math.floor(r.value / per) !== lane) throw new Error(`value ${r.value} on case ${r.key}`);
      sum += r.value;
      lanes += lane;
    }
    return { count: n, sum, lanes };
  },

  async W5(n) {
    let ch = chan();
    sieveGenerate(ch);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const prime = await ch.receive();
      sum += prime;
      const next = chan();
      sieveFilter(ch, next, prime);
      ch = next;
    }
    return { count: n, sum };
  },

  async W6(n) {
    const ch = chan(1);
    const before = await settledHeap();
    const t0 = performance.now();
    let sum = 0;
    for (let i = 0; i < n; i++) {
      ch.trySend(i);
      const r = await select({ v: onReceive(ch), t: onTimeout(HOUR) });
      if (r.key !== 'v') throw new Error(`case ${r.key} fired`);
      sum += r.value;
    }
    const ms = performance.now() - t0;
    const after = await settledHeap();
    return { count: n, sum, ms, retainedBytes: after - before };
  },

  M1(n) {
    return measureParked(n, {
      make: () => chan(),
      park: (ch, v) => {
        ch.send(v);
      },
      task: sendTask,
      drain,
    });
  },

  S1(ms) {
    return starvationProbe(ms, async (limit, t0) => {
      const ping = chan();
      const pong = chan();
      const done = pingPongTask(ping, pong);
      let count = 0;
      let sum = 0;
      for (;;) {
        await ping.send(count);
        sum += await pong.receive();
        count++;
        if ((count & 255) === 0 && performance.now() - t0 >= limit) break;
      }
      ping.close();
      await done;
      return { count, sum };
    });
  },

  // The synchronous source straight into workerPool. An Observable cannot
  // be slowed down, so the default `overflow: 'error'` would fail at once;
  // 'drop-oldest' keeps the newest values and most of the n are dropped.
  // `ops` is n: throughput counts source values taken, not results.
  async W7(n) {
    const pool = workerPool(double, {
      concurrency: W7_CONCURRENCY,
      capacity: W7_CAPACITY,
      overflow: 'drop-oldest',
    });
    const r = await measurePool(n, (onResult, probe) =>
      drainObservable(syncSource(n, probe).pipe(pool), onResult),
    );
    return { ...r, ops: n };
  },
};

// The non-blocking fast path: trySend / tryReceive first, and await only
// when the operation has to wait.
const rxchanSync = {
  async W1(n) {
    const ping = chan();
    const pong = chan();
    const done = (async () => {
      for (;;) {
        const r = ping.tryReceive();
        let v;
        if (r !== undefined) {
          if (!r.ok) return;
          v = r.value;
        } else {
          try {
            v = await ping.receive();
          } catch (error) {
            if (error instanceof ChannelClosedError) return;
            throw error;
          }
        }
        if (!pong.trySend(v)) await pong.send(v);
      }
    })();
    let sum = 0;
    for (let i = 0; i < n; i++) {
      if (!ping.trySend(i)) await ping.send(i);
      const r = pong.tryReceive();
      sum += r === undefined ? await pong.receive() : r.value;
    }
    ping.close();
    await done;
    return { count: n, sum };
  },

  async W2(n) {
    const ch = chan(128);
    const produced = (async () => {
      for (let i = 0; i < n; i++) if (!ch.trySend(i)) await ch.send(i);
      ch.close();
    })();
    let count = 0;
    let sum = 0;
    for (;;) {
      const r = ch.tryReceive();
      let v;
      if (r !== undefined) {
        if (!r.ok) break;
        v = r.value;
      } else {
        try {
          v = await ch.receive();
        } catch (error) {
          if (error instanceof ChannelClosedError) break;
          throw error;
        }
      }
      sum += v;
      count++;
    }
    await produced;
    return { count, sum };
  },
};

// W2 consumed with `for await`.
const rxchanIter = {
  async W2(n) {
    const ch = chan(128);
    const produced = (async () => {
      for (let i = 0; i < n; i++) await ch.send(i);
      ch.close();
    })();
    let count = 0;
    let sum = 0;
    for await (const v of ch) {
      sum += v;
      count++;
    }
    await produced;
    return { count, sum };
  },
};

// Select with the cases object built once and reused (allowed: cases are
// immutable), to separate the cost of making cases from the select itself.
const rxchanReuse = {
  async W4(n) {
    const [a, b, c, d] = [chan(), chan(), chan(), chan()];
    const per = n / 4;
    [a, b, c, d].forEach((ch, p) => producer(ch, p * per, per));
    const cases = { a: onReceive(a), b: onReceive(b), c: onReceive(c), d: onReceive(d) };
    let sum = 0;
    let lanes = 0;
    for (let i = 0; i < n; i++) {
      const r = await select(cases);
      const lane = laneOf(r.key);
      if (Math.floor(r.value / per) !== lane) throw new Error(`value ${r.value} on case ${r.key}`);
      sum += r.value;
      lanes += lane;
    }
    return { count: n, sum, lanes };
  },

  async W6(n) {
    const ch = chan(1);
    const cases = { v: onReceive(ch), t: onTimeout(HOUR) };
    const before = await settledHeap();
    const t0 = performance.now();
    let sum = 0;
    for (let i = 0; i < n; i++) {
      ch.trySend(i);
      const r = await select(cases);
      if (r.key !== 'v') throw new Error(`case ${r.key} fired`);
      sum += r.value;
    }
    const ms = performance.now() - t0;
    const after = await settledHeap();
    return { count: n, sum, ms, retainedBytes: after - before };
  },
};

// The lossless form of W7: the same source values sent into an unbuffered
// channel that workerPoolFrom's workers read, so the producer waits while
// every worker is busy and all n values are worked on.
const rxchanFrom = {
  W7(n) {
    return measurePool(n, async (onResult, probe) => {
      const ch = chan();
      const results = drainObservable(
        workerPoolFrom(ch, double, { concurrency: W7_CONCURRENCY }),
        onResult,
      );
      for (let i = 0; i < n; i++) {
        if (!ch.trySend(i)) await ch.send(i);
        if (i % SAMPLE_EVERY === 0) probe();
      }
      probe(true);
      ch.close();
      await results;
    });
  },
};

// The starvation remedy (issue 3): the same S1 ping-pong, with both tasks
// awaiting a pause from `yieldEvery(YIELD_EVERY)` after each round trip, so
// the host gets a macrotask turn every YIELD_EVERY operations.
const YIELD_EVERY = 1000;

const rxchanYield = {
  S1(ms) {
    return starvationProbe(ms, async (limit, t0) => {
      const ping = chan();
      const pong = chan();
      const echoPause = yieldEvery(YIELD_EVERY);
      const done = (async () => {
        for (;;) {
          let v;
          try {
            v = await ping.receive();
          } catch (error) {
            if (error instanceof ChannelClosedError) return;
            throw error;
          }
          await pong.send(v);
          await echoPause();
        }
      })();
      const pause = yieldEvery(YIELD_EVERY);
      let count = 0;
      let sum = 0;
      for (;;) {
        await ping.send(count);
        sum += await pong.receive();
        count++;
        await pause();
        if ((count & 255) === 0 && performance.now() - t0 >= limit) break;
      }
      ping.close();
      await done;
      return { count, sum };
    });
  },
};

export const systems = {
  rxchan,
  'rxchan-sync': rxchanSync,
  'rxchan-iter': rxchanIter,
  'rxchan-reuse': rxchanReuse,
  'rxchan-from': rxchanFrom,
  'rxchan-yield': rxchanYield,
};
