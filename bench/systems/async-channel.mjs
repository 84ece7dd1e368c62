// Workloads for async-channel 0.2.0: `await ch.push(v)` / `await ch.get()`;
// get() rejects with ChannelClosedError once closed and drained. It has no
// select, so W4 and W6 do not apply.
import { createRequire } from 'node:module';
import { m1, measureParked } from '../lib.mjs';

const { Channel, ChannelClosedError } = createRequire(import.meta.url)('async-channel');

async function pingPongTask(ping, pong) {
  for (;;) {
    let v;
    try {
      v = await ping.get();
    } catch (error) {
      if (error instanceof ChannelClosedError) return;
      throw error;
    }
    await pong.push(v);
  }
}

async function producer(ch, from, count) {
  for (let i = from; i < from + count; i++) await ch.push(i);
}

async function sieveGenerate(ch) {
  for (let i = 2; ; i++) await ch.push(i);
}

async function sieveFilter(input, output, prime) {
  for (;;) {
    const v = await input.get();
    if (v % prime !== 0) await output.push(v);
  }
}

async function sendTask(ch, v) {
  await ch.push(v);
  m1.tasksDone++;
}

async function drain(ch, k) {
  let sum = 0;
  for (let i = 0; i < k; i++) sum += await ch.get();
  return sum;
}

const asyncChannel = {
  async W1(n) {
    const ping = new Channel(0);
    const pong = new Channel(0);
    const done = pingPongTask(ping, pong);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      await ping.push(i);
      sum += await pong.get();
    }
    ping.close();
    await done;
    return { count: n, sum };
  },

  async W2(n) {
    const ch = new Channel(128);
    const produced = (async () => {
      for (let i = 0; i < n; i++) await ch.push(i);
      ch.close();
    })();
    let count = 0;
    let sum = 0;
    for (;;) {
      let v;
      try {
        v = await ch.get();
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
    const ch = new Channel(0);
    const per = n / 8;
    for (let p = 0; p < 8; p++) producer(ch, p * per, per);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await ch.get();
    return { count: n, sum };
  },

  async W5(n) {
    let ch = new Channel(0);
    sieveGenerate(ch);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const prime = await ch.get();
      sum += prime;
      const next = new Channel(0);
      sieveFilter(ch, next, prime);
      ch = next;
    }
    return { count: n, sum };
  },

  M1(n) {
    return measureParked(n, {
      make: () => new Channel(0),
      park: (ch, v) => {
        ch.push(v);
      },
      task: sendTask,
      drain,
    });
  },
};

export const systems = { 'async-channel': asyncChannel };
