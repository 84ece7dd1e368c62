/**
 * Go's own channel tests (runtime/chan_test.go), restated against rxchan's
 * public API. Where Go sleeps to let a goroutine block, these tests let the
 * microtask queue drain; where Go reads the zero value from a closed
 * channel, rxchan's comma-ok receive reports `ok: false`.
 */
import { describe, expect, it } from 'vitest';
import {
  chan,
  nilChan,
  onDefault,
  onReceive,
  onSend,
  select,
  type Channel,
} from '../../src/index.js';

function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('ported from Go runtime/chan_test.go', () => {
  it('TestChan: blocking, non-blocking, close, FIFO and len/cap for capacities 0..30', async () => {
    for (let cap = 0; cap <= 30; cap++) {
      {
        // A receive from an empty channel waits; a non-blocking one does not.
        const c = chan<number>(cap);
        let received = false;
        void c.receive().then(() => (received = true));
        void c.receiveOk().then(() => (received = true));
        await flush();
        expect(received).toBe(false);
        expect((await select({ r: onReceive(c), d: onDefault() })).key).toBe('d');
        await c.send(0);
        await c.send(0);
        await flush();
        expect(received).toBe(true);
      }
      {
        // A send to a full channel waits; a non-blocking one does not.
        const c = chan<number>(cap);
        for (let i = 0; i < cap; i++) await c.send(i);
        let sent = false;
        void c.send(0).then(() => (sent = true));
        await flush();
        expect(sent).toBe(false);
        expect((await select({ s: onSend(c, 0), d: onDefault() })).key).toBe('d');
        await c.receive();
        await flush();
        expect(sent).toBe(true);
      }
      {
        // Buffered values survive close, then the close is reported.
        const c = chan<number>(cap);
        for (let i = 0; i < cap; i++) await c.send(i);
        c.close();
        for (let i = 0; i < cap; i++) expect(await c.receive()).toBe(i);
        expect(await c.receiveOk()).toEqual({ value: undefined, ok: false });
      }
      {
        // Close wakes a parked receiver.
        const c = chan<number>(cap);
        const parked = c.receiveOk();
        await flush();
        c.close();
        expect(await parked).toEqual({ value: undefined, ok: false });
      }
      {
        // 100 values arrive uncorrupted and in order, by receive and receiveOk.
        const c = chan<number>(cap);
        void (async () => {
          for (let i = 0; i < 100; i++) await c.send(i);
        })();
        for (let i = 0; i < 100; i++) expect(await c.receive()).toBe(i);
        void (async () => {
          for (let i = 0; i < 100; i++) await c.send(i);
        })();
        for (let i = 0; i < 100; i++) expect(await c.receiveOk()).toEqual({ value: i, ok: true });
      }
      {
        // 4 senders and 4 receivers of 1000 values each: every value arrives 4 times.
        const c = chan<number>(cap);
        const P = 4;
        const L = 1000;
        for (let p = 0; p < P; p++) {
          void (async () => {
            for (let i = 0; i < L; i++) await c.send(i);
          })();
        }
        const counts = await Promise.all(
          Array.from({ length: P }, async () => {
            const seen = new Map<number, number>();
            for (let i = 0; i < L; i++) {
              const v = await c.receive();
              seen.set(v, (seen.get(v) ?? 0) + 1);
            }
            return seen;
          }),
        );
        const total = new Map<number, number>();
        for (const seen of counts) for (const [k, v] of seen) total.set(k, (total.get(k) ?? 0) + v);
        expect(total.size).toBe(L);
        for (const v of total.values()) expect(v).toBe(P);
      }
      {
        const c = chan<number>(cap);
        expect([c.length, c.capacity]).toEqual([0, cap]);
        for (let i = 0; i < cap; i++) await c.send(i);
        expect([c.length, c.capacity]).toEqual([cap, cap]);
      }
    }
  });

  it('TestNonblockSelectRace: a non-blocking select sees one of two ready channels', async () => {
    for (let i = 0; i < 1000; i++) {
      const c1 = chan<number>(1);
      const c2 = chan<number>(1);
      c1.trySend(1);
      const done = select({ a: onReceive(c1), b: onReceive(c2), d: onDefault() });
      c2.trySend(1);
      await select({ a: onReceive(c1), d: onDefault() });
      expect((await done).key).not.toBe('d');
    }
  });

  it('TestSelfSelect: a select never receives its own send', async () => {
    for (const cap of [0, 10]) {
      const c = chan<number>(cap);
      const workers = [0, 1].map(async (p) => {
        for (let i = 0; i < 1000; i++) {
          const r =
            p === 0 || i % 2 === 0
              ? await select({ s: onSend(c, p), r: onReceive(c) })
              : await select({ r: onReceive(c), s: onSend(c, p) });
          if (r.key === 'r' && cap === 0) expect(r.value).not.toBe(p);
        }
      });
      await Promise.all(workers);
    }
  });

  it('TestSelectStress: senders, receivers and selects over 4 channels never deadlock', async () => {
    const N = 5000;
    const c: Channel<number>[] = [chan(), chan(), chan(2), chan(3)];
    const tasks: Promise<void>[] = [];
    for (let k = 0; k < 4; k++) {
      tasks.push(
        (async () => {
          for (let i = 0; i < N; i++) await c[k]!.send(0);
        })(),
        (async () => {
          for (let i = 0; i < N; i++) await c[k]!.receive();
        })(),
      );
    }
    tasks.push(
      (async () => {
        const n = [0, 0, 0, 0];
        const c1 = [...c];
        for (let i = 0; i < 4 * N; i++) {
          const r = await select({
            s3: onSend(c1[3]!, 0),
            s2: onSend(c1[2]!, 0),
            s0: onSend(c1[0]!, 0),
            s1: onSend(c1[1]!, 0),
          });
          const k = Number(r.key[1]);
          if (++n[k]! === N) c1[k] = nilChan();
        }
      })(),
      (async () => {
        const n = [0, 0, 0, 0];
        const c1 = [...c];
        for (let i = 0; i < 4 * N; i++) {
          const r = await select({
            r0: onReceive(c1[0]!),
            r1: onReceive(c1[1]!),
            r2: onReceive(c1[2]!),
            r3: onReceive(c1[3]!),
          });
          const k = Number(r.key[1]);
          if (++n[k]! === N) c1[k] = nilChan();
        }
      })(),
    );

    await Promise.all(tasks);
  });

  it('TestChanSendInterface: send cases on a full channel fall through to default', async () => {
    const c = chan<object>(1);
    const m = {};
    c.trySend(m);

    expect((await select({ s: onSend(c, m), d: onDefault() })).key).toBe('d');
    expect((await select({ s: onSend(c, m), t: onSend(c, {}), d: onDefault() })).key).toBe('d');
  });

  it('TestPseudoRandomSend: a select between two sends picks both', async () => {
    const n = 100;
    for (const cap of [0, n]) {
      const c = chan<number>(cap);
      const received: Promise<number[]> = (async () => {
        const l: number[] = [];
        for (let i = 0; i < n; i++) l.push(await c.receive());
        return l;
      })();
      for (let i = 0; i < n; i++) await select({ one: onSend(c, 1), zero: onSend(c, 0) });
      const l = await received;
      const ones = l.filter((v) => v === 1).length;
      expect(ones).toBeGreaterThan(n / 10);
      expect(n - ones).toBeGreaterThan(n / 10);
    }
  });

  it('TestMultiConsumer: 23 workers relay every value exactly once', async () => {
    const nwork = 23;
    const niter = 27_183;
    const pn = [2, 3, 7, 11, 13, 17, 19, 23, 27, 31];
    const q = chan<number>(nwork * 3);
    const r = chan<number>(nwork * 3);
    let expected = 0;

    const workers = Array.from({ length: nwork }, async (_, w) => {
      for await (const v of q) {
        if (pn[w % pn.length] === v) await flush();
        await r.send(v);
      }
    });
    void (async () => {
      for (let i = 0; i < niter; i++) {
        const v = pn[i % pn.length]!;
        expected += v;
        await q.send(v);
      }
      q.close();
      await Promise.all(workers);
      r.close();
    })();
    let n = 0;
    let sum = 0;
    for await (const v of r) {
      n++;
      sum += v;
    }

    expect([n, sum]).toEqual([niter, expected]);
  });
});
