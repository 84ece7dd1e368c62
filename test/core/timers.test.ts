import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  after,
  chan,
  onReceive,
  onTimeout,
  select,
  sleep,
  ticker,
  timer,
  type Clock,
} from '../../src/index.js';
import { virtualClock, type VirtualClock } from '../../src/testing.js';

/** A clock that runs the n-th callback `lateness[n]` ms after it is due, like a busy host. */
function lateClock(inner: VirtualClock, lateness: (n: number) => number): Clock {
  let n = 0;
  return {
    now: () => inner.now(),
    setTimeout: (callback, ms) => inner.setTimeout(callback, ms + lateness(n++)),
    clearTimeout: (handle) => inner.clearTimeout(handle),
  };
}

/** A clock that runs a callback synchronously inside `setTimeout`, as the contract allows for 0. */
function eagerClock(): Clock {
  return {
    now: () => 7,
    setTimeout: (callback) => {
      callback();
      return 'spent';
    },
    clearTimeout: () => {},
  };
}

const LONGER_THAN_HOST_LIMIT = 2 ** 31 + 5_000;

describe('after', () => {
  describe('when the delay passes', () => {
    it('receives the clock time once', async () => {
      const clock = virtualClock(1_000);
      const ch = after(100, { clock });

      await clock.advance(99);
      const early = ch.tryReceive();
      await clock.advance(1);
      const due = ch.tryReceive();

      expect(early).toBeUndefined();
      expect(due).toEqual({ value: 1_100, ok: true });
      expect(clock.pending).toBe(0);
    });

    it('stays open and empty after its value, like Go', async () => {
      const clock = virtualClock();
      const ch = after(10, { clock });
      await clock.advance(10);

      const first = await ch.receive();
      await clock.advance(1_000);

      expect(first).toBe(10);
      expect(ch.closed).toBe(false);
      expect(ch.tryReceive()).toBeUndefined();
    });

    it('hands the value to a receiver already waiting', async () => {
      const clock = virtualClock();
      const ch = after(10, { clock });
      const got = ch.receive();

      await clock.advance(10);

      expect(await got).toBe(10);
    });
  });

  describe('with an unusual delay', () => {
    it('treats a negative delay as zero', async () => {
      const clock = virtualClock(50);
      const ch = after(-20, { clock });

      await clock.advance(0);

      expect(ch.tryReceive()).toEqual({ value: 50, ok: true });
    });

    it('never fires for Infinity and arms nothing', async () => {
      const clock = virtualClock();

      const ch = after(Infinity, { clock });

      expect(clock.pending).toBe(0);
      expect(ch.tryReceive()).toBeUndefined();
    });
  });

  describe('on abort', () => {
    it('clears its timer, so nothing is ever received', async () => {
      const clock = virtualClock();
      const controller = new AbortController();
      const ch = after(100, { clock, signal: controller.signal });
      const pendingBefore = clock.pending;

      controller.abort();
      await clock.advance(1_000);

      expect(pendingBefore).toBe(1);
      expect(clock.pending).toBe(0);
      expect(ch.tryReceive()).toBeUndefined();
    });

    it('arms nothing when the signal is already aborted', () => {
      const clock = virtualClock();

      after(100, { clock, signal: AbortSignal.abort() });

      expect(clock.pending).toBe(0);
    });

    it('removes its abort listener once it fires', async () => {
      const clock = virtualClock();
      const controller = new AbortController();
      const removed = vi.spyOn(controller.signal, 'removeEventListener');
      after(10, { clock, signal: controller.signal });

      await clock.advance(10);

      expect(removed).toHaveBeenCalledTimes(1);
    });
  });

  describe('as a select case', () => {
    it('wins when the other cases stay silent', async () => {
      const clock = virtualClock();
      const results = chan<string>();
      const pending = select({ got: onReceive(results), late: onReceive(after(50, { clock })) });

      await clock.advance(50);

      expect(await pending).toEqual({ key: 'late', value: 50, ok: true });
    });
  });

  describe('doc example', () => {
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('times out a select on a silent channel', async () => {
      const results = chan<string>();
      const pending = select({ got: onReceive(results), late: onReceive(after(5)) });

      await vi.advanceTimersByTimeAsync(5);

      expect((await pending).key).toBe('late');
    });
  });

  describe('with bad arguments', () => {
    it.each([
      ['5', TypeError, 'after(): ms must be a number, got "5"'],
      [undefined, TypeError, 'after(): ms must be a number, got undefined'],
      [NaN, RangeError, 'after(): ms must not be NaN, got NaN'],
    ])('rejects ms %s', (ms, type, message) => {
      expect(() => after(ms as number)).toThrow(new type(message));
    });

    it.each([
      [5, 'after(): options must be an object, got 5'],
      [
        { clock: {} },
        'after(): clock must have now, setTimeout and clearTimeout methods, got an object',
      ],
      [{ signal: 'x' }, 'after(): signal must be an AbortSignal, got "x"'],
    ])('rejects options %o', (options, message) => {
      expect(() => after(1, options as never)).toThrow(new TypeError(message));
    });
  });
});

describe('timer', () => {
  describe('when the delay passes', () => {
    it('sends the clock time on its channel', async () => {
      const clock = virtualClock(500);
      const t = timer(100, { clock });

      await clock.advance(99);
      const early = t.channel.tryReceive();
      await clock.advance(1);
      const due = t.channel.tryReceive();

      expect(early).toBeUndefined();
      expect(due).toEqual({ value: 600, ok: true });
      expect(t.channel.closed).toBe(false);
    });

    it('treats a negative delay as zero', async () => {
      const clock = virtualClock();
      const t = timer(-5, { clock });

      await clock.advance(0);

      expect(t.channel.tryReceive()).toEqual({ value: 0, ok: true });
    });
  });

  describe('stop', () => {
    it('returns true and clears the clock callback while pending', async () => {
      const clock = virtualClock();
      const t = timer(100, { clock });

      const stopped = t.stop();
      await clock.advance(1_000);

      expect(stopped).toBe(true);
      expect(clock.pending).toBe(0);
      expect(t.channel.tryReceive()).toBeUndefined();
    });

    it('returns true and discards a fired value nobody received (Go 1.23)', async () => {
      const clock = virtualClock();
      const t = timer(100, { clock });
      await clock.advance(100);
      const bufferedBefore = t.channel.length;

      const stopped = t.stop();

      expect(bufferedBefore).toBe(1);
      expect(stopped).toBe(true);
      expect(t.channel.tryReceive()).toBeUndefined();
    });

    it('returns false once the value was received', async () => {
      const clock = virtualClock();
      const t = timer(100, { clock });
      await clock.advance(100);
      await t.channel.receive();

      expect(t.stop()).toBe(false);
    });

    it('returns false when a waiting receiver took the value as it fired', async () => {
      const clock = virtualClock();
      const t = timer(100, { clock });
      const got = t.channel.receive();
      await clock.advance(100);

      const stopped = t.stop();

      expect(stopped).toBe(false);
      expect(await got).toBe(100);
    });

    it('returns false the second time', () => {
      const clock = virtualClock();
      const t = timer(100, { clock });

      const first = t.stop();
      const second = t.stop();

      expect([first, second]).toEqual([true, false]);
    });

    it('returns true for a timer that never fires', () => {
      const clock = virtualClock();
      const t = timer(Infinity, { clock });

      expect(clock.pending).toBe(0);
      expect(t.stop()).toBe(true);
    });
  });

  describe('reset', () => {
    it('re-arms a pending timer from now and returns true', async () => {
      const clock = virtualClock();
      const t = timer(100, { clock });
      await clock.advance(60);

      const wasActive = t.reset(100);
      await clock.advance(99);
      const early = t.channel.tryReceive();
      await clock.advance(1);

      expect(wasActive).toBe(true);
      expect(early).toBeUndefined();
      expect(clock.pending).toBe(0);
      expect(t.channel.tryReceive()).toEqual({ value: 160, ok: true });
    });

    it('discards a fired value nobody received and returns true (Go 1.23)', async () => {
      const clock = virtualClock();
      const t = timer(100, { clock });
      await clock.advance(100);

      const wasActive = t.reset(50);
      const stale = t.channel.tryReceive();
      await clock.advance(50);

      expect(wasActive).toBe(true);
      expect(stale).toBeUndefined();
      expect(t.channel.tryReceive()).toEqual({ value: 150, ok: true });
    });

    it('re-arms a stopped timer and returns false', async () => {
      const clock = virtualClock();
      const t = timer(100, { clock });
      t.stop();

      const wasActive = t.reset(10);
      await clock.advance(10);

      expect(wasActive).toBe(false);
      expect(t.channel.tryReceive()).toEqual({ value: 10, ok: true });
    });

    it('re-arms an expired timer and returns false', async () => {
      const clock = virtualClock();
      const t = timer(10, { clock });
      await clock.advance(10);
      await t.channel.receive();

      const wasActive = t.reset(10);
      await clock.advance(10);

      expect(wasActive).toBe(false);
      expect(t.channel.tryReceive()).toEqual({ value: 20, ok: true });
    });

    it('leaves the timer unchanged when the delay is bad', async () => {
      const clock = virtualClock();
      const t = timer(100, { clock });

      expect(() => t.reset(NaN)).toThrow(
        new RangeError('timer.reset(): ms must not be NaN, got NaN'),
      );
      expect(() => t.reset('1' as never)).toThrow(
        new TypeError('timer.reset(): ms must be a number, got "1"'),
      );
      await clock.advance(100);

      expect(t.channel.tryReceive()).toEqual({ value: 100, ok: true });
    });
  });

  describe('as a select case', () => {
    it('wins over a silent channel and is then expired', async () => {
      const clock = virtualClock();
      const t = timer(100, { clock });
      const results = chan<string>();
      const pending = select({ result: onReceive(results), timeout: onReceive(t.channel) });

      await clock.advance(100);

      expect(await pending).toEqual({ key: 'timeout', value: 100, ok: true });
      expect(t.stop()).toBe(false);
    });

    it('loses to a result, and stop then returns true and clears the callback', async () => {
      const clock = virtualClock();
      const t = timer(100, { clock });
      const results = chan<string>();
      const pending = select({ result: onReceive(results), timeout: onReceive(t.channel) });

      await clock.advance(40);
      await results.send('done');
      const r = await pending;

      expect(r).toEqual({ key: 'result', value: 'done', ok: true });
      expect(t.stop()).toBe(true);
      expect(clock.pending).toBe(0);
    });

    it('runs a select loop with a reset deadline per message', async () => {
      const clock = virtualClock();
      const messages = chan<string>();
      const steps: string[] = [];
      const idle = timer(50, { clock });
      const loop = (async () => {
        for (;;) {
          const r = await select({ msg: onReceive(messages), idle: onReceive(idle.channel) });
          if (r.key === 'idle') {
            steps.push(`idle at ${r.value}`);
            return;
          }
          steps.push(`got ${r.value} at ${clock.now()}`);
          idle.reset(50);
        }
      })();

      await clock.advance(30);
      await messages.send('a');
      await clock.advance(30);
      await messages.send('b');
      await clock.advance(50);
      await loop;

      expect(steps).toEqual(['got a at 30', 'got b at 60', 'idle at 110']);
    });
  });

  describe('when the channel was cancelled through its view', () => {
    it('fires without throwing', async () => {
      const clock = virtualClock();
      const t = timer(10, { clock });
      t.channel.cancel();

      await clock.advance(10);

      expect(t.stop()).toBe(false);
    });
  });

  describe('on a clock that runs a zero delay synchronously', () => {
    it('has fired by the time it is returned', () => {
      const t = timer(0, { clock: eagerClock() });

      expect(t.channel.tryReceive()).toEqual({ value: 7, ok: true });
      expect(t.stop()).toBe(false);
    });
  });

  describe('on the system clock', () => {
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('does not fire early for a delay beyond the host limit', async () => {
      const t = timer(LONGER_THAN_HOST_LIMIT);

      await vi.advanceTimersByTimeAsync(2 ** 31);
      const early = t.channel.tryReceive();
      await vi.advanceTimersByTimeAsync(LONGER_THAN_HOST_LIMIT - 2 ** 31);

      expect(early).toBeUndefined();
      expect(t.channel.tryReceive()?.ok).toBe(true);
    });

    it('leaves no host timer pending once stopped', () => {
      const t = timer(3_600_000);
      const countBefore = vi.getTimerCount();

      t.stop();

      expect(countBefore).toBe(1);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('leaves no host timer pending once a long delay is stopped mid-way', async () => {
      const t = timer(LONGER_THAN_HOST_LIMIT);
      await vi.advanceTimersByTimeAsync(2 ** 31);

      t.stop();

      expect(vi.getTimerCount()).toBe(0);
    });

    it('runs the doc example: a second stop returns false', () => {
      const t = timer(1000);

      const first = t.stop();
      const second = t.stop();

      expect([first, second]).toEqual([true, false]);
      expect(t.channel.tryReceive()).toBeUndefined();
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  describe('in a Node process', () => {
    it('lets the process exit promptly once a one-hour timer is stopped', async () => {
      const entry = pathToFileURL(resolve(import.meta.dirname, '../../src/index.ts')).href;
      const script = [
        `const { timer } = await import(${JSON.stringify(entry)});`,
        'const t = timer(3_600_000);',
        'if (!t.stop()) process.exit(3);',
      ].join('\n');

      const code = await new Promise<number | string | null>((done) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', '--input-type=module', '-e', script],
          { timeout: 9_000 },
          (error) => done(error === null ? 0 : (error.code ?? error.signal ?? null)),
        );
      });

      expect(code).toBe(0);
    }, 10_000);
  });

  describe('with bad arguments', () => {
    it.each([
      ['5', TypeError, 'timer(): ms must be a number, got "5"'],
      [null, TypeError, 'timer(): ms must be a number, got null'],
      [NaN, RangeError, 'timer(): ms must not be NaN, got NaN'],
    ])('rejects ms %s', (ms, type, message) => {
      expect(() => timer(ms as number)).toThrow(new type(message));
    });

    it('rejects a clock without the clock methods', () => {
      expect(() => timer(1, { clock: { now: () => 0 } as never })).toThrow(
        new TypeError(
          'timer(): clock must have now, setTimeout and clearTimeout methods, got an object',
        ),
      );
    });
  });
});

describe('ticker', () => {
  describe('while running', () => {
    it('sends the clock time every period', async () => {
      const clock = virtualClock();
      const t = ticker(100, { clock });
      const ticks: number[] = [];

      for (let i = 0; i < 3; i++) {
        await clock.advance(100);
        ticks.push(t.channel.tryReceive()?.value as number);
      }
      t.stop();

      expect(ticks).toEqual([100, 200, 300]);
    });

    it('drops ticks while a slow receiver leaves one unreceived', async () => {
      const clock = virtualClock();
      const t = ticker(100, { clock });

      await clock.advance(350);
      const oldest = t.channel.tryReceive();
      const backlog = t.channel.tryReceive();
      await clock.advance(50);
      const next = t.channel.tryReceive();
      t.stop();

      expect(oldest).toEqual({ value: 100, ok: true });
      expect(backlog).toBeUndefined();
      expect(next).toEqual({ value: 400, ok: true });
    });

    it('does not drift when its callbacks run late', async () => {
      const inner = virtualClock();
      const t = ticker(100, { clock: lateClock(inner, () => 3) });
      const ticks: number[] = [];

      await inner.advance(103);
      ticks.push(t.channel.tryReceive()?.value as number);
      for (let i = 0; i < 3; i++) {
        await inner.advance(100);
        ticks.push(t.channel.tryReceive()?.value as number);
      }
      t.stop();

      expect(ticks).toEqual([103, 203, 303, 403]);
    });

    it('skips the deadlines a very late callback missed', async () => {
      const inner = virtualClock();
      const t = ticker(100, { clock: lateClock(inner, (n) => (n === 0 ? 250 : 0)) });
      const ticks: number[] = [];

      await inner.advance(350);
      ticks.push(t.channel.tryReceive()?.value as number);
      await inner.advance(50);
      ticks.push(t.channel.tryReceive()?.value as number);
      await inner.advance(100);
      ticks.push(t.channel.tryReceive()?.value as number);
      t.stop();

      expect(ticks).toEqual([350, 400, 500]);
    });

    it('never ticks for an infinite period', () => {
      const clock = virtualClock();

      const t = ticker(Infinity, { clock });

      expect(clock.pending).toBe(0);
      t.stop();
    });
  });

  describe('stop', () => {
    it('discards an unreceived tick and sends nothing more (Go 1.23)', async () => {
      const clock = virtualClock();
      const t = ticker(100, { clock });
      await clock.advance(100);
      const bufferedBefore = t.channel.length;

      t.stop();
      await clock.advance(1_000);

      expect(bufferedBefore).toBe(1);
      expect(t.channel.tryReceive()).toBeUndefined();
      expect(clock.pending).toBe(0);
    });

    it('is safe to call twice', () => {
      const clock = virtualClock();
      const t = ticker(100, { clock });

      t.stop();
      t.stop();

      expect(clock.pending).toBe(0);
    });
  });

  describe('reset', () => {
    it('discards an unreceived tick and ticks with the new period from now', async () => {
      const clock = virtualClock();
      const t = ticker(100, { clock });
      await clock.advance(130);

      t.reset(50);
      const stale = t.channel.tryReceive();
      await clock.advance(50);
      const first = t.channel.tryReceive();
      await clock.advance(50);
      const second = t.channel.tryReceive();
      t.stop();

      expect(stale).toBeUndefined();
      expect(first).toEqual({ value: 180, ok: true });
      expect(second).toEqual({ value: 230, ok: true });
    });

    it('restarts a stopped ticker', async () => {
      const clock = virtualClock();
      const t = ticker(100, { clock });
      t.stop();

      t.reset(10);
      await clock.advance(10);

      expect(t.channel.tryReceive()).toEqual({ value: 10, ok: true });
      t.stop();
    });

    it('leaves the ticker unchanged when the period is bad', async () => {
      const clock = virtualClock();
      const t = ticker(100, { clock });

      expect(() => t.reset(0)).toThrow(
        new RangeError('ticker.reset(): period must be a positive number, got 0'),
      );
      await clock.advance(100);

      expect(t.channel.tryReceive()).toEqual({ value: 100, ok: true });
      t.stop();
    });
  });

  describe('as a select case', () => {
    it('drives a loop until a done channel closes', async () => {
      const clock = virtualClock();
      const t = ticker(10, { clock });
      const done = chan<void>();
      const ticks: number[] = [];
      const loop = (async () => {
        for (;;) {
          const r = await select({ tick: onReceive(t.channel), done: onReceive(done) });
          if (r.key === 'done') return;
          ticks.push(r.value as number);
        }
      })();

      await clock.advance(30);
      done.close();
      await loop;
      t.stop();

      expect(ticks).toEqual([10, 20, 30]);
    });

    it('is quiet after stop, so a timeout case wins', async () => {
      const clock = virtualClock();
      const t = ticker(10, { clock });
      await clock.advance(10);
      t.stop();

      const pending = select({ tick: onReceive(t.channel), quiet: onTimeout(30, { clock }) });
      await clock.advance(30);

      expect((await pending).key).toBe('quiet');
    });
  });

  describe('on the system clock', () => {
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('leaves no host timer pending once stopped', async () => {
      const t = ticker(1_000);
      await vi.advanceTimersByTimeAsync(2_500);
      const countBefore = vi.getTimerCount();

      t.stop();

      expect(countBefore).toBe(1);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('runs the doc example: two ticks, then nothing after stop', async () => {
      const t = ticker(1);
      const steps: string[] = [];
      const reading = (async () => {
        await t.channel.receive();
        steps.push('tick');
        await t.channel.receive();
        steps.push('tick');
        t.stop();
      })();

      await vi.advanceTimersByTimeAsync(2);
      await reading;

      expect(steps).toEqual(['tick', 'tick']);
      expect(t.channel.tryReceive()).toBeUndefined();
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  describe('with bad arguments', () => {
    it.each([
      [0, RangeError, 'ticker(): period must be a positive number, got 0'],
      [-5, RangeError, 'ticker(): period must be a positive number, got -5'],
      [NaN, RangeError, 'ticker(): period must be a positive number, got NaN'],
      ['5', TypeError, 'ticker(): period must be a number, got "5"'],
      [undefined, TypeError, 'ticker(): period must be a number, got undefined'],
    ])('rejects period %s', (period, type, message) => {
      expect(() => ticker(period as number)).toThrow(new type(message));
    });

    it('rejects options that are not an object', () => {
      expect(() => ticker(1, 'fast' as never)).toThrow(
        new TypeError('ticker(): options must be an object, got "fast"'),
      );
    });
  });
});

describe('sleep', () => {
  describe('when the delay passes', () => {
    it('resolves after the delay and not before', async () => {
      const clock = virtualClock();
      const steps: string[] = [];
      const sleeping = sleep(100, { clock }).then(() => steps.push(`woke at ${clock.now()}`));

      await clock.advance(99);
      steps.push('99 ms passed');
      await clock.advance(1);
      await sleeping;

      expect(steps).toEqual(['99 ms passed', 'woke at 100']);
    });

    it('treats a negative delay as zero', async () => {
      const clock = virtualClock(5);
      const sleeping = sleep(-1, { clock });

      await clock.advance(0);

      await expect(sleeping).resolves.toBeUndefined();
      expect(clock.now()).toBe(5);
    });

    it('removes its abort listener once it resolves', async () => {
      const clock = virtualClock();
      const controller = new AbortController();
      const removed = vi.spyOn(controller.signal, 'removeEventListener');
      const sleeping = sleep(10, { clock, signal: controller.signal });

      await clock.advance(10);
      await sleeping;

      expect(removed).toHaveBeenCalledTimes(1);
    });
  });

  describe('on abort', () => {
    it('rejects with the reason and clears its timer', async () => {
      const clock = virtualClock();
      const controller = new AbortController();
      const reason = new Error('cancelled');
      const sleeping = sleep(100, { clock, signal: controller.signal });

      controller.abort(reason);

      await expect(sleeping).rejects.toBe(reason);
      expect(clock.pending).toBe(0);
    });

    it('rejects at once and arms nothing when already aborted', async () => {
      const clock = virtualClock();
      const reason = new Error('too late');

      const sleeping = sleep(100, { clock, signal: AbortSignal.abort(reason) });

      await expect(sleeping).rejects.toBe(reason);
      expect(clock.pending).toBe(0);
    });

    it('ends an infinite sleep', async () => {
      const controller = new AbortController();
      const sleeping = sleep(Infinity, { clock: virtualClock(), signal: controller.signal });

      controller.abort('stop');

      await expect(sleeping).rejects.toBe('stop');
    });
  });

  describe('on the system clock', () => {
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('leaves no host timer pending once aborted', async () => {
      const controller = new AbortController();
      const sleeping = sleep(3_600_000, { signal: controller.signal });

      controller.abort();

      await expect(sleeping).rejects.toBeInstanceOf(DOMException);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('runs the doc example: the caller continues before the sleep ends', async () => {
      const steps: string[] = [];
      const done = sleep(1).then(() => steps.push('slept'));
      steps.push('sleeping');

      await vi.advanceTimersByTimeAsync(1);
      await done;

      expect(steps.join(' > ')).toBe('sleeping > slept');
    });
  });

  describe('with bad arguments', () => {
    it.each([
      ['1', TypeError, 'sleep(): ms must be a number, got "1"'],
      [NaN, RangeError, 'sleep(): ms must not be NaN, got NaN'],
    ])('throws synchronously for ms %s', (ms, type, message) => {
      expect(() => sleep(ms as number)).toThrow(new type(message));
    });

    it('throws synchronously for a signal that is not an AbortSignal', () => {
      expect(() => sleep(1, { signal: {} as never })).toThrow(
        new TypeError('sleep(): signal must be an AbortSignal, got an object'),
      );
    });
  });
});
