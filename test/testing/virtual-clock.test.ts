import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  chan,
  onReceive,
  onTimeout,
  seededRandom,
  select,
  sleep,
  ticker,
  timer,
} from '../../src/index.js';
import { VirtualClock, virtualClock } from '../../src/testing.js';

describe('VirtualClock', () => {
  describe('when made', () => {
    it('starts at the given time, or 0, with nothing scheduled', () => {
      const fromZero = new VirtualClock();
      const fromStart = virtualClock(500);

      expect([fromZero.now(), fromZero.pending]).toEqual([0, 0]);
      expect([fromStart.now(), fromStart.pending]).toEqual([500, 0]);
    });

    it.each([
      ['0', TypeError, 'VirtualClock(): start must be a number, got "0"'],
      [NaN, RangeError, 'VirtualClock(): start must be a finite number, got NaN'],
      [Infinity, RangeError, 'VirtualClock(): start must be a finite number, got Infinity'],
    ])('rejects start %s', (start, type, message) => {
      expect(() => virtualClock(start as number)).toThrow(new type(message));
    });
  });

  describe('setTimeout', () => {
    it('does not move time by itself', async () => {
      const clock = virtualClock();
      const callback = vi.fn();
      clock.setTimeout(callback, 10);

      await new Promise((resolve) => setImmediate(resolve));

      expect(callback).not.toHaveBeenCalled();
      expect(clock.now()).toBe(0);
      expect(clock.pending).toBe(1);
    });

    it('treats negative and NaN delays as zero', async () => {
      const clock = virtualClock();
      const steps: string[] = [];
      clock.setTimeout(() => steps.push('negative'), -5);
      clock.setTimeout(() => steps.push('NaN'), NaN);

      await clock.advance(0);

      expect(steps).toEqual(['negative', 'NaN']);
    });

    it('never fires an infinite delay but counts it as pending', async () => {
      const clock = virtualClock();
      const callback = vi.fn();
      clock.setTimeout(callback, Infinity);

      const fired = await clock.runAll();

      expect(fired).toBe(0);
      expect(callback).not.toHaveBeenCalled();
      expect(clock.pending).toBe(1);
    });

    it('rejects a callback that is not a function', () => {
      expect(() => virtualClock().setTimeout('go' as never, 1)).toThrow(
        new TypeError('VirtualClock.setTimeout(): callback must be a function, got "go"'),
      );
    });

    it('rejects a delay that is not a number', () => {
      expect(() => virtualClock().setTimeout(() => {}, '1' as never)).toThrow(
        new TypeError('VirtualClock.setTimeout(): ms must be a number, got "1"'),
      );
    });
  });

  describe('clearTimeout', () => {
    it('cancels a scheduled callback', async () => {
      const clock = virtualClock();
      const callback = vi.fn();
      const handle = clock.setTimeout(callback, 10);

      clock.clearTimeout(handle);
      await clock.advance(100);

      expect(callback).not.toHaveBeenCalled();
      expect(clock.pending).toBe(0);
    });

    it('cancels a callback due later in the same advance', async () => {
      const clock = virtualClock();
      const steps: string[] = [];
      const later = clock.setTimeout(() => steps.push('later'), 20);
      clock.setTimeout(() => {
        steps.push('first');
        clock.clearTimeout(later);
      }, 10);

      await clock.advance(30);

      expect(steps).toEqual(['first']);
    });

    it('ignores unknown, spent and repeated handles', async () => {
      const clock = virtualClock();
      const spent = clock.setTimeout(() => {}, 1);
      await clock.advance(1);
      const live = clock.setTimeout(() => {}, 1);

      clock.clearTimeout(spent);
      clock.clearTimeout(999);
      clock.clearTimeout('x');
      clock.clearTimeout(undefined);

      expect(clock.pending).toBe(1);
      clock.clearTimeout(live);
      clock.clearTimeout(live);
      expect(clock.pending).toBe(0);
    });

    it('keeps order across many schedules and clears', async () => {
      const clock = virtualClock();
      const random = seededRandom(7);
      const expected: { deadline: number; id: number }[] = [];
      const fired: number[] = [];
      for (let id = 0; id < 2_000; id++) {
        const deadline = Math.floor(random() * 100);
        const handle = clock.setTimeout(() => fired.push(id), deadline);
        if (random() < 0.6) clock.clearTimeout(handle);
        else expected.push({ deadline, id });
      }
      const order = expected
        .sort((a, b) => a.deadline - b.deadline || a.id - b.id)
        .map((entry) => entry.id);

      const count = await clock.runAll();

      expect(count).toBe(expected.length);
      expect(fired).toEqual(order);
    });
  });

  describe('advance', () => {
    it('fires callbacks in deadline order, FIFO for equal deadlines', async () => {
      const clock = virtualClock();
      const steps: string[] = [];
      clock.setTimeout(() => steps.push('b@20'), 20);
      clock.setTimeout(() => steps.push('a@10'), 10);
      clock.setTimeout(() => steps.push('c@20'), 20);
      clock.setTimeout(() => steps.push('d@20'), 20);

      await clock.advance(20);

      expect(steps).toEqual(['a@10', 'b@20', 'c@20', 'd@20']);
    });

    it('sets now to each deadline before its callback and to the target after', async () => {
      const clock = virtualClock(100);
      const seen: number[] = [];
      clock.setTimeout(() => seen.push(clock.now()), 5);
      clock.setTimeout(() => seen.push(clock.now()), 15);

      await clock.advance(50);

      expect(seen).toEqual([105, 115]);
      expect(clock.now()).toBe(150);
    });

    it('lets the tasks a callback woke run before the next callback', async () => {
      const clock = virtualClock();
      const ch = chan<string>();
      const steps: string[] = [];
      const task = (async () => {
        const value = await ch.receive();
        await Promise.resolve();
        steps.push(`task got ${value}`);
      })();
      clock.setTimeout(() => {
        steps.push('first callback');
        ch.trySend('ping');
      }, 10);
      clock.setTimeout(() => steps.push('second callback'), 10);

      await clock.advance(10);
      await task;

      expect(steps).toEqual(['first callback', 'task got ping', 'second callback']);
    });

    it('fires callbacks scheduled while it runs that fall due in the window', async () => {
      const clock = virtualClock();
      const seen: number[] = [];
      const repeat = (): void => {
        seen.push(clock.now());
        clock.setTimeout(repeat, 10);
      };
      clock.setTimeout(repeat, 10);

      await clock.advance(35);

      expect(seen).toEqual([10, 20, 30]);
      expect(clock.pending).toBe(1);
    });

    it('lets pending promise work arm its timers before time moves', async () => {
      const clock = virtualClock();
      const steps: string[] = [];
      const task = (async () => {
        for (let i = 0; i < 10; i++) await Promise.resolve();
        await sleep(10, { clock });
        steps.push(`slept until ${clock.now()}`);
      })();

      await clock.advance(10);
      await task;

      expect(steps).toEqual(['slept until 10']);
    });

    it('runs concurrent calls one after another', async () => {
      const clock = virtualClock();
      const seen: number[] = [];
      clock.setTimeout(() => seen.push(clock.now()), 15);

      await Promise.all([clock.advance(10), clock.advance(10)]);

      expect(seen).toEqual([15]);
      expect(clock.now()).toBe(20);
    });

    it('rejects with the error of a callback that throws, stopping at its deadline', async () => {
      const clock = virtualClock();
      const boom = new Error('boom');
      const later = vi.fn();
      clock.setTimeout(() => {
        throw boom;
      }, 10);
      clock.setTimeout(later, 20);

      await expect(clock.advance(30)).rejects.toBe(boom);

      expect(clock.now()).toBe(10);
      expect(later).not.toHaveBeenCalled();
      expect(clock.pending).toBe(1);
      await clock.advance(10);
      expect(later).toHaveBeenCalledTimes(1);
    });

    it.each([
      [-1, RangeError, 'advance(): ms must be a non-negative finite number, got -1'],
      [NaN, RangeError, 'advance(): ms must be a non-negative finite number, got NaN'],
      [Infinity, RangeError, 'advance(): ms must be a non-negative finite number, got Infinity'],
      ['1', TypeError, 'advance(): ms must be a number, got "1"'],
    ])('throws synchronously for ms %s', (ms, type, message) => {
      expect(() => virtualClock().advance(ms as number)).toThrow(new type(message));
    });

    it('runs the doc example', async () => {
      const clock = virtualClock(1000);
      const order: string[] = [];
      clock.setTimeout(() => order.push('b'), 10);
      clock.setTimeout(() => order.push('a'), 5);
      clock.setTimeout(() => order.push('c'), 10);

      await clock.advance(20);

      expect([order.join(''), clock.now()]).toEqual(['abc', 1020]);
    });
  });

  describe('next', () => {
    it('moves to the earliest deadline and fires everything due then', async () => {
      const clock = virtualClock();
      const steps: string[] = [];
      clock.setTimeout(() => steps.push('a'), 30);
      clock.setTimeout(() => steps.push('b'), 30);
      clock.setTimeout(() => steps.push('c'), 40);

      const moved = await clock.next();

      expect(moved).toBe(true);
      expect(steps).toEqual(['a', 'b']);
      expect(clock.now()).toBe(30);
    });

    it('resolves to false and leaves time alone when nothing is due', async () => {
      const clock = virtualClock(5);
      clock.setTimeout(() => {}, Infinity);

      const moved = await clock.next();

      expect(moved).toBe(false);
      expect(clock.now()).toBe(5);
    });

    it('runs the doc example', async () => {
      const clock = virtualClock();
      clock.setTimeout(() => {}, 30);

      const first = [await clock.next(), clock.now()];
      const second = [await clock.next(), clock.now()];

      expect(first).toEqual([true, 30]);
      expect(second).toEqual([false, 30]);
    });
  });

  describe('runAll', () => {
    it('fires everything, including callbacks scheduled on the way', async () => {
      const clock = virtualClock();
      const steps: string[] = [];
      clock.setTimeout(() => {
        steps.push('outer');
        clock.setTimeout(() => steps.push('inner'), 5);
      }, 10);

      const fired = await clock.runAll();

      expect(fired).toBe(2);
      expect(steps).toEqual(['outer', 'inner']);
      expect([clock.now(), clock.pending]).toEqual([15, 0]);
    });

    it('rejects once a ticker exceeds the limit', async () => {
      const clock = virtualClock();
      const t = ticker(10, { clock });

      await expect(clock.runAll({ limit: 5 })).rejects.toThrow(
        'runAll(): fired 5 callbacks and more are due; ' +
          'a ticker or a callback that reschedules itself never runs dry',
      );

      expect(clock.now()).toBe(50);
      t.stop();
    });

    it('throws synchronously for a bad limit', () => {
      expect(() => virtualClock().runAll({ limit: 0 })).toThrow(
        new TypeError('runAll(): limit must be a positive integer, got 0'),
      );
    });
  });

  describe('autoAdvance', () => {
    let stopAuto: (() => void) | undefined;
    afterEach(() => {
      stopAuto?.();
    });

    it('lets sleeping code finish without the test moving time', async () => {
      const clock = virtualClock();
      stopAuto = clock.autoAdvance();
      const steps: string[] = [];

      await sleep(60_000, { clock });
      steps.push(`woke at ${clock.now()}`);
      await sleep(1_000, { clock });
      steps.push(`woke at ${clock.now()}`);

      expect(steps).toEqual(['woke at 60000', 'woke at 61000']);
    });

    it('fires a select timeout while a task waits', async () => {
      const clock = virtualClock();
      stopAuto = clock.autoAdvance();
      const silent = chan<number>();

      const r = await select({ v: onReceive(silent), late: onTimeout(5_000, { clock }) });

      expect(r.key).toBe('late');
      expect(clock.now()).toBe(5_000);
    });

    it('stops moving time once turned off', async () => {
      const clock = virtualClock();
      const stop = clock.autoAdvance();
      stop();
      const callback = vi.fn();

      clock.setTimeout(callback, 10);
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));

      expect(callback).not.toHaveBeenCalled();
      expect(clock.now()).toBe(0);
    });

    it('runs the doc example', async () => {
      const clock = virtualClock();
      stopAuto = clock.autoAdvance();
      const log: number[] = [];

      clock.setTimeout(() => log.push(clock.now()), 60_000);
      await new Promise((resolve) => clock.setTimeout(() => resolve(undefined), 120_000));

      expect([log, clock.now()]).toEqual([[60_000], 120_000]);
    });
  });

  describe('with timers', () => {
    it('drives a timer and a select timeout in deadline order', async () => {
      const clock = virtualClock();
      const t = timer(30, { clock });
      const steps: string[] = [];
      const silent = chan<string>();
      const waiting = (async () => {
        const first = await select({ v: onReceive(silent), t: onReceive(t.channel) });
        steps.push(`${first.key} at ${clock.now()}`);
        const second = await select({ v: onReceive(silent), late: onTimeout(15, { clock }) });
        steps.push(`${second.key} at ${clock.now()}`);
      })();

      await clock.advance(50);
      await waiting;

      expect(steps).toEqual(['t at 30', 'late at 45']);
      expect(clock.pending).toBe(0);
    });
  });

  describe('doc example', () => {
    it('fires only what is due', async () => {
      const clock = new VirtualClock();
      const fired: number[] = [];
      clock.setTimeout(() => fired.push(clock.now()), 100);
      clock.setTimeout(() => fired.push(clock.now()), 50);

      await clock.advance(99);
      const midway = [[...fired], clock.pending];
      await clock.advance(1);

      expect(midway).toEqual([[50], 1]);
      expect([fired, clock.now()]).toEqual([[50, 100], 100]);
    });
  });
});

describe('virtualClock', () => {
  it('makes a clock at the given start', () => {
    const clock = virtualClock(500);

    expect(clock).toBeInstanceOf(VirtualClock);
    expect([clock.now(), clock.pending]).toEqual([500, 0]);
  });
});
