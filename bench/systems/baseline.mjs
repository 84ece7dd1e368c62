// Workloads for the hand-written baseline channel (bench/baseline.mjs).
import { CLOSED, Chan, EMPTY, TIMEOUT, select } from '../baseline.mjs';
import { HOUR, m1, measureParked, settledHeap, starvationProbe } from '../lib.mjs';

async function pingPongTask(ping, pong) {
  for (;;) {
    const v = await ping.recv();
    if (v === CLOSED) return;
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
    const v = await input.recv();
    if (v % prime !== 0) await output.send(v);
  }
}

async function sendTask(ch, v) {
  await ch.send(v);
  m1.tasksDone++;
}

async function drain(ch, k) {
  let sum = 0;
  for (let i = 0; i < k; i++) sum += await ch.recv();
  return sum;
}

const baseline = {
  async W1(n) {
    const ping = new Chan();
    const pong = new Chan();
    const done = pingPongTask(ping, pong);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      await ping.send(i);
      sum += await pong.recv();
    }
    ping.close();
    await done;
    return { count: n, sum };
  },

  async W2(n) {
    const ch = new Chan(128);
    const produced = (async () => {
      for (let i = 0; i < n; i++) await ch.send(i);
      ch.close();
    })();
    let count = 0;
    let sum = 0;
    for (;;) {
      const v = await ch.recv();
      if (v === CLOSED) break;
      sum += v;
      count++;
    }
    await produced;
    return { count, sum };
  },

  async W3(n) {
    const ch = new Chan();
    const per = n / 8;
    for (let p = 0; p < 8; p++) producer(ch, p * per, per);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await ch.recv();
    return { count: n, sum };
  },

  async W4(n) {
    const chans = [new Chan(), new Chan(), new Chan(), new Chan()];
    const per = n / 4;
    for (let p = 0; p < 4; p++) producer(chans[p], p * per, per);
    let sum = 0;
    let lanes = 0;
    for (let i = 0; i < n; i++) {
      const r = await select(chans);
      if (Math.floor(r.value / per) !== r.index) throw new Error(`value ${r.value} on ${r.index}`);
      sum += r.value;
      lanes += r.index;
    }
    return { count: n, sum, lanes };
  },

  async W5(n) {
    let ch = new Chan();
    sieveGenerate(ch);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const prime = await ch.recv();
      sum += prime;
      const next = new Chan();
      sieveFilter(ch, next, prime);
      ch = next;
    }
    return { count: n, sum };
  },

  async W6(n) {
    const ch = new Chan(1);
    const chans = [ch];
    const before = await settledHeap();
    const t0 = performance.now();
    let sum = 0;
    for (let i = 0; i < n; i++) {
      ch.trySend(i);
      const r = await select(chans, HOUR);
      if (r.index === TIMEOUT) throw new Error('timeout fired');
      sum += r.value;
    }
    const ms = performance.now() - t0;
    const after = await settledHeap();
    return { count: n, sum, ms, retainedBytes: after - before };
  },

  M1(n) {
    return measureParked(n, {
      make: () => new Chan(),
      park: (ch, v) => {
        ch.send(v);
      },
      task: sendTask,
      drain,
    });
  },

  S1(ms) {
    return starvationProbe(ms, async (limit, t0) => {
      const ping = new Chan();
      const pong = new Chan();
      const done = pingPongTask(ping, pong);
      let count = 0;
      let sum = 0;
      for (;;) {
        await ping.send(count);
        sum += await pong.recv();
        count++;
        if ((count & 255) === 0 && performance.now() - t0 >= limit) break;
      }
      ping.close();
      await done;
      return { count, sum };
    });
  },
};

// Await only when an operation has to wait: trySend / tryRecv first.
const baselineSync = {
  async W1(n) {
    const ping = new Chan();
    const pong = new Chan();
    const done = (async () => {
      for (;;) {
        let v = ping.tryRecv();
        if (v === EMPTY) v = await ping.recv();
        if (v === CLOSED) return;
        if (!pong.trySend(v)) await pong.send(v);
      }
    })();
    let sum = 0;
    for (let i = 0; i < n; i++) {
      if (!ping.trySend(i)) await ping.send(i);
      let v = pong.tryRecv();
      if (v === EMPTY) v = await pong.recv();
      sum += v;
    }
    ping.close();
    await done;
    return { count: n, sum };
  },

  async W2(n) {
    const ch = new Chan(128);
    const produced = (async () => {
      for (let i = 0; i < n; i++) if (!ch.trySend(i)) await ch.send(i);
      ch.close();
    })();
    let count = 0;
    let sum = 0;
    for (;;) {
      let v = ch.tryRecv();
      if (v === EMPTY) v = await ch.recv();
      if (v === CLOSED) break;
      sum += v;
      count++;
    }
    await produced;
    return { count, sum };
  },
};

export const systems = { baseline, 'baseline-sync': baselineSync };
