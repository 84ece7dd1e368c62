// Workloads for js-csp 1.0.1: processes are `csp.go` generators; a run is
// wrapped in a promise by taking from the channel `go` returns.
import { createRequire } from 'node:module';
import { HOUR, m1, measureParked, settledHeap } from '../lib.mjs';

const csp = createRequire(import.meta.url)('js-csp');

/** Runs a generator as a process and resolves to its return value. */
function run(gen, args) {
  return new Promise((resolve) => csp.takeAsync(csp.go(gen, args), resolve));
}

function* pingPongTask(ping, pong) {
  for (;;) {
    const v = yield csp.take(ping);
    if (v === csp.CLOSED) return;
    yield csp.put(pong, v);
  }
}

function* producer(ch, from, count) {
  for (let i = from; i < from + count; i++) yield csp.put(ch, i);
}

function* sieveGenerate(ch) {
  for (let i = 2; ; i++) yield csp.put(ch, i);
}

function* sieveFilter(input, output, prime) {
  for (;;) {
    const v = yield csp.take(input);
    if (v % prime !== 0) yield csp.put(output, v);
  }
}

function* sendTask(ch, v) {
  yield csp.put(ch, v);
  m1.tasksDone++;
}

function* drainTask(ch, k) {
  let sum = 0;
  for (let i = 0; i < k; i++) sum += yield csp.take(ch);
  return sum;
}

const jsCsp = {
  W1: (n) =>
    run(function* () {
      const ping = csp.chan();
      const pong = csp.chan();
      csp.go(pingPongTask, [ping, pong]);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        yield csp.put(ping, i);
        sum += yield csp.take(pong);
      }
      ping.close();
      return { count: n, sum };
    }),

  W2: (n) =>
    run(function* () {
      const ch = csp.chan(128);
      csp.go(function* () {
        for (let i = 0; i < n; i++) yield csp.put(ch, i);
        ch.close();
      });
      let count = 0;
      let sum = 0;
      for (;;) {
        const v = yield csp.take(ch);
        if (v === csp.CLOSED) break;
        sum += v;
        count++;
      }
      return { count, sum };
    }),

  W3: (n) =>
    run(function* () {
      const ch = csp.chan();
      const per = n / 8;
      for (let p = 0; p < 8; p++) csp.go(producer, [ch, p * per, per]);
      let sum = 0;
      for (let i = 0; i < n; i++) sum += yield csp.take(ch);
      return { count: n, sum };
    }),

  W4: (n) =>
    run(function* () {
      const chans = [csp.chan(), csp.chan(), csp.chan(), csp.chan()];
      const per = n / 4;
      for (let p = 0; p < 4; p++) csp.go(producer, [chans[p], p * per, per]);
      let sum = 0;
      let lanes = 0;
      for (let i = 0; i < n; i++) {
        const r = yield csp.alts(chans);
        const index = chans.indexOf(r.channel);
        if (Math.floor(r.value / per) !== index) throw new Error(`value ${r.value} on ${index}`);
        sum += r.value;
        lanes += index;
      }
      return { count: n, sum, lanes };
    }),

  W5: (n) =>
    run(function* () {
      let ch = csp.chan();
      csp.go(sieveGenerate, [ch]);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const prime = yield csp.take(ch);
        sum += prime;
        const next = csp.chan();
        csp.go(sieveFilter, [ch, next, prime]);
        ch = next;
      }
      return { count: n, sum };
    }),

  async W6(n) {
    const ch = csp.chan(1);
    const before = await settledHeap();
    const t0 = performance.now();
    const sum = await run(function* () {
      let total = 0;
      for (let i = 0; i < n; i++) {
        yield csp.put(ch, i);
        const r = yield csp.alts([ch, csp.timeout(HOUR)]);
        if (r.channel !== ch) throw new Error('timeout fired');
        total += r.value;
      }
      return total;
    });
    const ms = performance.now() - t0;
    const after = await settledHeap();
    return { count: n, sum, ms, retainedBytes: after - before };
  },

  M1(n) {
    return measureParked(n, {
      make: () => csp.chan(),
      park: (ch, v) => csp.putAsync(ch, v),
      task: (ch, v) => csp.go(sendTask, [ch, v]),
      drain: (ch, k) => run(drainTask, [ch, k]),
    });
  },
};

export const systems = { 'js-csp': jsCsp };
