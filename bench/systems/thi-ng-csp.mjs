// Workloads for @thi.ng/csp 3.2.44: `await ch.write(v)` / `await ch.read()`;
// `channel()` is its smallest channel (a 1-slot fifo: it has no unbuffered
// channel); reads on a closed channel give undefined.
import { channel, select, timeout } from '@thi.ng/csp';
import { HOUR, m1, measureParked, settledHeap } from '../lib.mjs';

async function pingPongTask(ping, pong) {
  for (;;) {
    const v = await ping.read();
    if (v === undefined) return;
    await pong.write(v);
  }
}

async function producer(ch, from, count) {
  for (let i = from; i < from + count; i++) await ch.write(i);
}

async function sieveGenerate(ch) {
  for (let i = 2; ; i++) await ch.write(i);
}

async function sieveFilter(input, output, prime) {
  for (;;) {
    const v = await input.read();
    if (v % prime !== 0) await output.write(v);
  }
}

async function sendTask(ch, v) {
  await ch.write(v);
  m1.tasksDone++;
}

async function drain(ch, k) {
  let sum = 0;
  for (let i = 0; i < k; i++) sum += await ch.read();
  return sum;
}

const thiNgCsp = {
  async W1(n) {
    const ping = channel();
    const pong = channel();
    const done = pingPongTask(ping, pong);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      await ping.write(i);
      sum += await pong.read();
    }
    ping.close();
    await done;
    return { count: n, sum };
  },

  async W2(n) {
    const ch = channel(128);
    const produced = (async () => {
      for (let i = 0; i < n; i++) await ch.write(i);
      ch.close();
    })();
    let count = 0;
    let sum = 0;
    for (;;) {
      const v = await ch.read();
      if (v === undefined) break;
      sum += v;
      count++;
    }
    await produced;
    return { count, sum };
  },

  async W3(n) {
    const ch = channel();
    const per = n / 8;
    for (let p = 0; p < 8; p++) producer(ch, p * per, per);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await ch.read();
    return { count: n, sum };
  },

  async W4(n) {
    const chans = [channel(), channel(), channel(), channel()];
    const per = n / 4;
    for (let p = 0; p < 4; p++) producer(chans[p], p * per, per);
    let sum = 0;
    let lanes = 0;
    for (let i = 0; i < n; i++) {
      const [value, ch] = await select(...chans);
      const index = chans.indexOf(ch);
      if (Math.floor(value / per) !== index) throw new Error(`value ${value} on ${index}`);
      sum += value;
      lanes += index;
    }
    return { count: n, sum, lanes };
  },

  async W5(n) {
    let ch = channel();
    sieveGenerate(ch);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const prime = await ch.read();
      sum += prime;
      const next = channel();
      sieveFilter(ch, next, prime);
      ch = next;
    }
    return { count: n, sum };
  },

  async W6(n) {
    const ch = channel(1);
    const before = await settledHeap();
    const t0 = performance.now();
    let sum = 0;
    for (let i = 0; i < n; i++) {
      // Not awaited: write() resolves only once the value is read.
      ch.write(i);
      const [value, port] = await select(ch, timeout(HOUR));
      if (port !== ch) throw new Error('timeout fired');
      sum += value;
    }
    const ms = performance.now() - t0;
    const after = await settledHeap();
    return { count: n, sum, ms, retainedBytes: after - before };
  },

  M1(n) {
    return measureParked(n, {
      make: () => channel(),
      park: (ch, v) => {
        ch.write(v);
      },
      task: sendTask,
      drain,
    });
  },
};

export const systems = { '@thi.ng/csp': thiNgCsp };
