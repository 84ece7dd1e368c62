// Workloads for medium 1.2.0: `await put(ch, v)` / `await take(ch)`,
// select is `any(...ports)` resolving to [value, channel].
import { createRequire } from 'node:module';
import { HOUR, m1, measureParked, settledHeap } from '../lib.mjs';

const { chan, take, put, any, close, sleep, CLOSED } = createRequire(import.meta.url)('medium');

async function pingPongTask(ping, pong) {
  for (;;) {
    const v = await take(ping);
    if (v === CLOSED) return;
    await put(pong, v);
  }
}

async function producer(ch, from, count) {
  for (let i = from; i < from + count; i++) await put(ch, i);
}

async function sieveGenerate(ch) {
  for (let i = 2; ; i++) await put(ch, i);
}

async function sieveFilter(input, output, prime) {
  for (;;) {
    const v = await take(input);
    if (v % prime !== 0) await put(output, v);
  }
}

async function sendTask(ch, v) {
  await put(ch, v);
  m1.tasksDone++;
}

async function drain(ch, k) {
  let sum = 0;
  for (let i = 0; i < k; i++) sum += await take(ch);
  return sum;
}

const medium = {
  async W1(n) {
    const ping = chan();
    const pong = chan();
    const done = pingPongTask(ping, pong);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      await put(ping, i);
      sum += await take(pong);
    }
    close(ping);
    await done;
    return { count: n, sum };
  },

  async W2(n) {
    const ch = chan(128);
    const produced = (async () => {
      for (let i = 0; i < n; i++) await put(ch, i);
      close(ch);
    })();
    let count = 0;
    let sum = 0;
    for (;;) {
      const v = await take(ch);
      if (v === CLOSED) break;
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
    for (let i = 0; i < n; i++) sum += await take(ch);
    return { count: n, sum };
  },

  async W4(n) {
    const chans = [chan(), chan(), chan(), chan()];
    const per = n / 4;
    for (let p = 0; p < 4; p++) producer(chans[p], p * per, per);
    let sum = 0;
    let lanes = 0;
    for (let i = 0; i < n; i++) {
      const [value, ch] = await any(...chans);
      const index = chans.indexOf(ch);
      if (Math.floor(value / per) !== index) throw new Error(`value ${value} on ${index}`);
      sum += value;
      lanes += index;
    }
    return { count: n, sum, lanes };
  },

  async W5(n) {
    let ch = chan();
    sieveGenerate(ch);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const prime = await take(ch);
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
      await put(ch, i);
      const [value, port] = await any(ch, sleep(HOUR));
      if (port !== ch) throw new Error('timeout fired');
      sum += value;
    }
    const ms = performance.now() - t0;
    const after = await settledHeap();
    return { count: n, sum, ms, retainedBytes: after - before };
  },

  M1(n) {
    return measureParked(n, {
      make: () => chan(),
      park: (ch, v) => {
        put(ch, v);
      },
      task: sendTask,
      drain,
    });
  },
};

export const systems = { medium };
