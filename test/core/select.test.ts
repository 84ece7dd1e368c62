import { describe, expect, it } from 'vitest';
import {
  ChannelClosedError,
  chan,
  nilChan,
  onDefault,
  onReceive,
  onSend,
  onTimeout,
  seededRandom,
  select,
  type Clock,
} from '../../src/index.js';

function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A clock whose callbacks run only when `fire` is called; counts live timers. */
function manualClock(): Clock & { fire(): void; live: number } {
  const timers = new Map<number, () => void>();
  let next = 0;
  return {
    now: () => 0,
    setTimeout(callback) {
      timers.set(++next, callback);
      return next;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    fire() {
      for (const [handle, callback] of [...timers]) {
        timers.delete(handle);
        callback();
      }
    },
    get live() {
      return timers.size;
    },
  };
}

describe('case functions', () => {
  it('make each receive case once per channel', () => {
    const a = chan<number>();
    const b = chan<number>();
    expect(onReceive(a)).toBe(onReceive(a));
    expect(onReceive(a)).not.toBe(onReceive(b));
    expect(onReceive(a).channel).toBe(a);
  });

  it('reuse the last system-clock timeout case for the same delay, and only then', () => {
    const clock = manualClock();
    expect(onTimeout(5)).toBe(onTimeout(5));
    expect(onTimeout(5).ms).toBe(5);
    expect(onTimeout(6)).not.toBe(onTimeout(5));
    // A case on another clock is new each time and keeps its clock.
    expect(onTimeout(5, { clock })).not.toBe(onTimeout(5, { clock }));
    expect(onTimeout(5, { clock }).clock).toBe(clock);
    expect(onTimeout(5).clock).not.toBe(clock);
  });

  it('make a new send case per value', () => {
    const ch = chan<string>(1);
    expect(onSend(ch, 'x')).not.toBe(onSend(ch, 'x'));
    expect(onSend(ch, 'x').value).toBe('x');
  });
});

describe('select', () => {
  describe('arguments', () => {
    it('rejects a case that was not made by a case function', () => {
      const ch = chan<number>(1);
      ch.trySend(1);

      expect(() => select({ a: onReceive(ch), b: 42 as never })).toThrow(
        new TypeError(
          'select(): case "b" must be made by onReceive, onSend, onTimeout or onDefault, got 42',
        ),
      );
      expect(ch.length).toBe(1);
    });

    it('rejects a random source that leaves [0, 1), before touching any channel', () => {
      const ch = chan<number>(1);
      ch.trySend(1);

      expect(() => select({ a: onReceive(ch) }, { random: () => 1 })).toThrow(
        new RangeError('select(): random() must return a number in [0, 1), got 1'),
      );
      expect(ch.length).toBe(1);
    });

    it('rejects two default cases', () => {
      expect(() => select({ a: onDefault(), b: onDefault() })).toThrow(
        new TypeError('select(): at most one onDefault() case is allowed, got "a" and "b"'),
      );
    });

    it('rejects cases that are not an object', () => {
      expect(() => select(null as never)).toThrow(
        new TypeError('select(): cases must be an object of cases, got null'),
      );
    });

    it('rejects a case function given something other than a channel', () => {
      expect(() => onReceive({} as never)).toThrow(
        new TypeError('onReceive(): expected a channel, got an object'),
      );
      expect(() => onSend(undefined as never, 1)).toThrow(
        new TypeError('onSend(): expected a channel, got undefined'),
      );
    });

    it.each([
      [-1, RangeError, 'onTimeout(): ms must be a non-negative number, got -1'],
      [NaN, RangeError, 'onTimeout(): ms must be a non-negative number, got NaN'],
      ['5', TypeError, 'onTimeout(): ms must be a number, got "5"'],
    ])('rejects timeout %s', (ms, Type, message) => {
      expect(() => onTimeout(ms as number)).toThrow(new Type(message));
    });
  });

  describe('ready cases', () => {
    it('performs a ready receive and reports its key, value and ok', async () => {
      const a = chan<number>(1);
      const b = chan<string>(1);
      b.trySend('x');

      const r = await select({ a: onReceive(a), b: onReceive(b) });

      expect(r).toEqual({ key: 'b', value: 'x', ok: true });
    });

    it('performs a ready send', async () => {
      const ch = chan<number>(1);

      const r = await select({ out: onSend(ch, 3) });

      expect(r).toEqual({ key: 'out' });
      expect(ch.tryReceive()).toEqual({ value: 3, ok: true });
    });

    it('reports a closed channel as a ready receive with ok false', async () => {
      const ch = chan<number>();
      ch.close();

      expect(await select({ c: onReceive(ch) })).toEqual({ key: 'c', value: undefined, ok: false });
    });

    it('rejects with ChannelClosedError when it chooses a send on a closed channel', async () => {
      const undelivered: number[] = [];
      const ch = chan<number>(1, { onUndelivered: (v) => undelivered.push(v) });
      ch.close();

      await expect(select({ s: onSend(ch, 1) })).rejects.toBeInstanceOf(ChannelClosedError);
      expect(undelivered).toEqual([1]);
    });

    it('chooses uniformly at random among ready cases', async () => {
      const channels = [0, 1, 2, 3].map(() => chan<number>(1));
      const counts = [0, 0, 0, 0];
      const random = seededRandom(7);

      for (let i = 0; i < 4000; i++) {
        for (const ch of channels) if (ch.length === 0) ch.trySend(i);
        const r = await select(
          {
            c0: onReceive(channels[0]!),
            c1: onReceive(channels[1]!),
            c2: onReceive(channels[2]!),
            c3: onReceive(channels[3]!),
          },
          { random },
        );
        counts[Number(r.key[1])]!++;
      }

      for (const count of counts) expect(count).toBeGreaterThan(850);
      for (const count of counts) expect(count).toBeLessThan(1150);
    });

    // Without options, select takes its own fast path: the first four ready
    // cases are kept in locals, the fifth and later are found by a second
    // pass. Both must be uniform, and a blocked case never chosen.
    it('chooses uniformly with the default random source, with 1 to 7 ready cases', async () => {
      // Chi-square critical values at p = 1e-9 for 1..6 degrees of freedom.
      const limit = [37.3, 41.4, 44.8, 47.9, 50.7, 53.3];
      for (let ready = 1; ready <= 7; ready++) {
        // A blocked case first and one between, so positions and locals differ.
        const blocked = [chan<number>(), chan<number>()];
        const readyChannels = Array.from({ length: ready }, () => chan<number>(1));
        const cases: Record<string, ReturnType<typeof onReceive<number>>> = {
          blockedFirst: onReceive(blocked[0]!),
        };
        readyChannels.forEach((ch, i) => {
          cases[`r${i}`] = onReceive(ch);
          if (i === 1) cases['blockedBetween'] = onReceive(blocked[1]!);
        });
        const counts = new Array<number>(ready).fill(0);
        const draws = 700 * ready;
        for (let n = 0; n < draws; n++) {
          for (const ch of readyChannels) if (ch.length === 0) ch.trySend(n);
          const r = await select(cases);
          expect(r.key.startsWith('r'), `blocked case ${r.key} chosen`).toBe(true);
          counts[Number(r.key.slice(1))]!++;
        }
        if (ready === 1) {
          expect(counts).toEqual([draws]);
          continue;
        }
        const expected = draws / ready;
        const chiSquare = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
        expect(chiSquare, `counts ${counts.join(', ')}`).toBeLessThan(limit[ready - 2]!);
      }
    });

    it('chooses the first ready case in declaration order when biased', async () => {
      const a = chan<number>(1);
      const b = chan<number>(1);
      const keys: string[] = [];

      for (let i = 0; i < 20; i++) {
        if (a.length === 0) a.trySend(i);
        if (b.length === 0) b.trySend(i);
        keys.push((await select({ b: onReceive(b), a: onReceive(a) }, { biased: true })).key);
      }

      expect(new Set(keys)).toEqual(new Set(['b']));
    });

    it('prefers a ready case over the default', async () => {
      const ch = chan<number>(1);
      ch.trySend(1);

      expect((await select({ v: onReceive(ch), d: onDefault() })).key).toBe('v');
    });

    it('never chooses a case on a nil channel', async () => {
      const off = nilChan<number>();
      const on = chan<number>(1);
      on.trySend(2);

      expect((await select({ off: onReceive(off), on: onReceive(on) })).key).toBe('on');
      expect((await select({ off: onSend(off, 1), d: onDefault() })).key).toBe('d');
    });
  });

  describe('default', () => {
    it('answers at once when nothing is ready, touching nothing', async () => {
      const a = chan<number>();
      const b = chan<number>();

      const r = await select({ a: onReceive(a), b: onSend(b, 1), none: onDefault() });

      expect(r).toEqual({ key: 'none' });
      expect(a.trySend(1)).toBe(false);
      expect(b.tryReceive()).toBeUndefined();
    });
  });

  describe('parked', () => {
    it('wakes on the first case to become ready and withdraws the others', async () => {
      const a = chan<number>();
      const b = chan<number>();
      const parked = select({ a: onReceive(a), b: onReceive(b) });

      expect(b.trySend(5)).toBe(true);

      expect(await parked).toEqual({ key: 'b', value: 5, ok: true });
      expect(a.trySend(1)).toBe(false);
    });

    it('completes an unbuffered send case only when a receiver takes it', async () => {
      const ch = chan<number>();
      const log: string[] = [];
      const parked = select({ s: onSend(ch, 8) }).then((r) => log.push(`select ${r.key}`));

      await flush();
      log.push('receive');
      const got = await ch.receive();
      await parked;

      expect(got).toBe(8);
      expect(log).toEqual(['receive', 'select s']);
    });

    it('reports a close while parked as ok false', async () => {
      const ch = chan<number>();
      const parked = select({ c: onReceive(ch) });

      ch.close();

      expect(await parked).toEqual({ key: 'c', value: undefined, ok: false });
    });

    it('rejects a parked send case when its channel closes', async () => {
      const ch = chan<number>();
      const other = chan<number>();
      const parked = select({ s: onSend(ch, 1), r: onReceive(other) });

      ch.close();

      await expect(parked).rejects.toBeInstanceOf(ChannelClosedError);
      expect(other.trySend(1)).toBe(false);
    });

    it('queues one select twice on the same channel without corrupting it', async () => {
      // Go's TestSelectDuplicateChannel: A waits on c twice and on d; B on c.
      const c = chan<number>();
      const d = chan<number>();
      const a = select({ c1: onReceive(c), c2: onReceive(c), d: onReceive(d) });
      const b = c.receive();

      await d.send(7);
      expect((await a).key).toBe('d');
      await c.send(8);

      expect(await b).toBe(8);
    });

    it('withdraws every case when aborted, with no effect', async () => {
      const a = chan<number>();
      const b = chan<number>();
      const controller = new AbortController();
      const parked = select({ a: onReceive(a), b: onSend(b, 1) }, { signal: controller.signal });

      controller.abort(new Error('cancelled'));

      await expect(parked).rejects.toThrow('cancelled');
      expect(a.trySend(1)).toBe(false);
      expect(b.tryReceive()).toBeUndefined();
    });

    it('rejects at once for an aborted signal even when a case is ready', async () => {
      const ch = chan<number>(1);
      ch.trySend(1);

      await expect(select({ c: onReceive(ch) }, { signal: AbortSignal.abort('x') })).rejects.toBe(
        'x',
      );
      expect(ch.length).toBe(1);
    });

    it('waits forever on an empty cases object until aborted', async () => {
      const controller = new AbortController();
      const parked = select({}, { signal: controller.signal });

      controller.abort('stop');

      await expect(parked).rejects.toBe('stop');
    });
  });

  describe('timeouts', () => {
    it('arms no timer when a case is ready', async () => {
      const clock = manualClock();
      const ch = chan<number>(1);
      ch.trySend(1);

      await select({ v: onReceive(ch), t: onTimeout(1000, { clock }) });

      expect(clock.live).toBe(0);
    });

    it('fires the timeout case when nothing else fires, withdrawing the rest', async () => {
      const clock = manualClock();
      const ch = chan<number>();
      const parked = select({ v: onReceive(ch), t: onTimeout(1000, { clock }) });

      expect(clock.live).toBe(1);
      clock.fire();

      expect(await parked).toEqual({ key: 't' });
      expect(ch.trySend(1)).toBe(false);
    });

    it('clears its timer when another case wins', async () => {
      const clock = manualClock();
      const ch = chan<number>();
      const parked = select({ v: onReceive(ch), t: onTimeout(1000, { clock }) });

      ch.trySend(4);

      expect(await parked).toEqual({ key: 'v', value: 4, ok: true });
      expect(clock.live).toBe(0);
    });

    it('clears its timer when aborted', async () => {
      const clock = manualClock();
      const controller = new AbortController();
      const parked = select({ t: onTimeout(1000, { clock }) }, { signal: controller.signal });

      controller.abort('x');

      await expect(parked).rejects.toBe('x');
      expect(clock.live).toBe(0);
    });

    it('fires with the system clock', async () => {
      const ch = chan<number>();

      expect(await select({ v: onReceive(ch), t: onTimeout(1) })).toEqual({ key: 't' });
    });
  });

  describe('competing selects', () => {
    it('gives each value to exactly one of two selects on the same channels', async () => {
      const a = chan<number>();
      const b = chan<number>();
      const first = select({ a: onReceive(a), b: onReceive(b) });
      const second = select({ a: onReceive(a), b: onReceive(b) });

      a.trySend(1);
      b.trySend(2);

      const results = await Promise.all([first, second]);
      expect(results).toEqual([
        { key: 'a', value: 1, ok: true },
        { key: 'b', value: 2, ok: true },
      ]);
    });

    it('matches a parked send select with a parked receive select', async () => {
      const ch = chan<string>();
      const other = chan<string>();
      const sender = select({ s: onSend(ch, 'hi'), o: onReceive(other) });

      const receiver = await select({ r: onReceive(ch), o: onReceive(other) });

      expect(receiver).toEqual({ key: 'r', value: 'hi', ok: true });
      expect(await sender).toEqual({ key: 's' });
    });
  });
});
