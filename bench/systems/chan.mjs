// Workloads for chan 0.6.1, whose channels are functions taking node-style
// callbacks; `send` and `recv` below are the promise wrappers user code
// needs. A receive after close and drain yields `ch.empty`. chan has no
// timer channel: W6 feeds a fresh channel from a setTimeout.
import { createRequire } from 'node:module';
import { HOUR, m1, measureParked, settledHeap } from '../lib.mjs';

const make = createRequire(import.meta.url)('chan');

function send(ch, v) {
  return new Promise((resolve, reject) => ch(v)((err) => (err ? reject(err) : resolve())));
}

function recv(ch) {
  return new Promise((resolve, reject) => ch((err, v) => (err ? reject(err) : resolve(v))));
}

/** Resolves to [value, channel] for the first ready channel. */
function select(...chans) {
  return new Promise((resolve, reject) =>
    make.select(...chans)((err, ch) => {
      if (err) return reject(err);
      ch.selected((err2, v) => (err2 ? reject(err2) : resolve([v, ch])));
    }),
  );
}

async function pingPongTask(ping, pong) {
  for (;;) {
    const v = await recv(ping);
    if (v === ping.empty) return;
    await send(pong, v);
  }
}

async function producer(ch, from, count) {
  for (let i = from; i < from + count; i++) await send(ch, i);
}

async function sieveGenerate(ch) {
  for (let i = 2; ; i++) await send(ch, i);
}

async function sieveFilter(input, output, prime) {
  for (;;) {
    const v = await recv(input);
    if (v % prime !== 0) await send(output, v);
  }
}

async function sendTask(ch, v) {
  await send(ch, v);
  m1.tasksDone++;
}

async function drain(ch, k) {
  let sum = 0;
  for (let i = 0; i < k; i++) sum += await recv(ch);
  return sum;
}

const chan = {
  async W1(n) {
    const ping = make();
    const pong = make();
    const done = pingPongTask(ping, pong);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      await send(ping, i);
      sum += await recv(pong);
    }
    ping.close();
    await done;
    return { count: n, sum };
  },

  async W2(n) {
    const ch = make(128);
    const produced = (async () => {
      for (let i = 0; i < n; i++) await send(ch, i);
      ch.close();
    })();
    let count = 0;
    let sum = 0;
    for (;;) {
      const v = await recv(ch);
      if (v === ch.empty) break;
      sum += v;
      count++;
    }
    await produced;
    return { count, sum };
  },

  async W3(n) {
    const ch = make();
    const per = n / 8;
    for (let p = 0; p < 8; p++) producer(ch, p * per, per);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await recv(ch);
    return { count: n, sum };
  },

  async W4(n) {
    const chans = [make(), make(), make(), make()];
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
    let ch = make();
    sieveGenerate(ch);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const prime = await recv(ch);
      sum += prime;
      const next = make();
      sieveFilter(ch, next, prime);
      ch = next;
    }
    return { count: n, sum };
  },

  async W6(n) {
    const ch = make(1);
    const before = await settledHeap();
    const t0 = performance.now();
    let sum = 0;
    for (let i = 0; i < n; i++) {
      ch(i);
      const timer = make();
      setTimeout(() => timer(true), HOUR);
      const [value, port] = await select(ch, timer);
      if (port !== ch) throw new Error('timeout fired');
      sum += value;
    }
    const ms = performance.now() - t0;
    const after = await settledHeap();
    return { count: n, sum, ms, retainedBytes: after - before };
  },

  M1(n) {
    return measureParked(n, {
      make: () => make(),
      park: (ch, v) => {
        ch(v);
      },
      task: sendTask,
      drain,
    });
  },
};

export const systems = { chan };
