import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { WaitGroup, chan } from '../../src/index.js';

/** Lets every queued promise job run (a macrotask turn, not a timed sleep). */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Asserts that `fn` throws exactly `type` with exactly `message`. */
function expectThrow(fn: () => unknown, type: ErrorConstructor, message: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(type);
  expect((thrown as Error).message).toBe(message);
}

/** Records when a promise settles, for step logs. */
function track(promise: Promise<unknown>, steps: string[], name: string): Promise<void> {
  return promise.then(
    () => void steps.push(`${name} resolved`),
    (error: unknown) => void steps.push(`${name} rejected ${String(error)}`),
  );
}

describe('WaitGroup', () => {
  describe('add', () => {
    it.each([
      [1.5, 'WaitGroup.add(): delta must be an integer, got 1.5'],
      [NaN, 'WaitGroup.add(): delta must be an integer, got NaN'],
      [Infinity, 'WaitGroup.add(): delta must be an integer, got Infinity'],
      ['1', 'WaitGroup.add(): delta must be an integer, got "1"'],
      [null, 'WaitGroup.add(): delta must be an integer, got null'],
      [2 ** 53, 'WaitGroup.add(): delta must be an integer, got 9007199254740992'],
    ])('throws a RangeError for the delta %s and keeps the count', (delta, message) => {
      const wg = new WaitGroup();
      wg.add(2);

      expectThrow(() => wg.add(delta as number), RangeError, message);

      expect(wg.count).toBe(2);
    });

    it('throws a RangeError before changing the count when it would go negative', () => {
      const wg = new WaitGroup();
      wg.add(1);

      expectThrow(
        () => wg.add(-2),
        RangeError,
        'WaitGroup.add(): counter would go negative, got -2 with count 1',
      );

      expect(wg.count).toBe(1);
    });

    it('throws a RangeError when the count would pass the largest safe integer', () => {
      const wg = new WaitGroup();
      wg.add(Number.MAX_SAFE_INTEGER);

      expectThrow(
        () => wg.add(1),
        RangeError,
        'WaitGroup.add(): counter would pass Number.MAX_SAFE_INTEGER, got 1 with count 9007199254740991',
      );

      expect(wg.count).toBe(Number.MAX_SAFE_INTEGER);
    });

    it('adds one by default and accepts negative deltas', () => {
      const wg = new WaitGroup();

      wg.add();
      wg.add(4);
      wg.add(-3);

      expect(wg.count).toBe(2);
    });

    it('releases waiters when a negative delta brings the count to zero', async () => {
      const wg = new WaitGroup();
      wg.add(3);
      const waited = wg.wait();

      wg.add(-3);

      await expect(waited).resolves.toBeUndefined();
    });
  });

  describe('done', () => {
    it('throws a RangeError when the count is already zero', () => {
      const wg = new WaitGroup();

      expectThrow(
        () => wg.done(),
        RangeError,
        'WaitGroup.done(): counter would go negative, got count 0',
      );

      expect(wg.count).toBe(0);
    });

    it('lowers the count by one', () => {
      const wg = new WaitGroup();
      wg.add(2);

      wg.done();

      expect(wg.count).toBe(1);
    });
  });

  describe('wait', () => {
    it('resolves at once when the count is zero', async () => {
      const wg = new WaitGroup();

      await expect(wg.wait()).resolves.toBeUndefined();
    });

    it('releases every waiter, in arrival order, only when the count reaches zero', async () => {
      const wg = new WaitGroup();
      const steps: string[] = [];
      wg.add(2);
      const all = Promise.all([
        track(wg.wait(), steps, 'first'),
        track(wg.wait(), steps, 'second'),
        track(wg.wait(), steps, 'third'),
      ]);

      wg.done();
      await flush();
      steps.push('count is 1');
      wg.done();
      await all;

      expect(steps).toEqual(['count is 1', 'first resolved', 'second resolved', 'third resolved']);
    });

    it('can be used again once the count is back at zero', async () => {
      const wg = new WaitGroup();
      wg.add();
      wg.done();
      await wg.wait();
      const steps: string[] = [];

      wg.add();
      const waited = track(wg.wait(), steps, 'second round');
      await flush();
      steps.push('before done');
      wg.done();
      await waited;

      expect(steps).toEqual(['before done', 'second round resolved']);
    });

    it('rejects with the abort reason, withdraws the waiter and keeps the others', async () => {
      const wg = new WaitGroup();
      const steps: string[] = [];
      const controller = new AbortController();
      wg.add();
      const aborted = track(wg.wait({ signal: controller.signal }), steps, 'aborted waiter');
      const kept = track(wg.wait(), steps, 'kept waiter');

      controller.abort('stop');
      await aborted;
      steps.push('done called');
      wg.done();
      await kept;

      expect(steps).toEqual([
        'aborted waiter rejected stop',
        'done called',
        'kept waiter resolved',
      ]);
      expect(wg.count).toBe(0);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });

    it('rejects at once for an already aborted signal, even when the count is zero', async () => {
      const wg = new WaitGroup();
      const reason = new Error('already');

      const waited = wg.wait({ signal: AbortSignal.abort(reason) });

      await expect(waited).rejects.toBe(reason);
    });

    it('removes its abort listener when released, so a later abort changes nothing', async () => {
      const wg = new WaitGroup();
      const controller = new AbortController();
      wg.add();
      const waited = wg.wait({ signal: controller.signal });
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);

      wg.done();
      controller.abort('too late');

      await expect(waited).resolves.toBeUndefined();
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });

    it('throws a TypeError for options that are not an object', () => {
      const wg = new WaitGroup();

      expectThrow(
        () => wg.wait(5 as never),
        TypeError,
        'WaitGroup.wait(): options must be an object, got 5',
      );
    });

    it('throws a TypeError for a signal that is not an AbortSignal', () => {
      const wg = new WaitGroup();

      expectThrow(
        () => wg.wait({ signal: 'stop' as never }),
        TypeError,
        'WaitGroup.wait(): signal must be an AbortSignal, got "stop"',
      );
    });
  });

  describe('go', () => {
    it.each([
      [42, 'WaitGroup.go(): task must be a function, got 42'],
      [undefined, 'WaitGroup.go(): task must be a function, got undefined'],
    ])('throws a TypeError for the task %s and adds nothing', (task, message) => {
      const wg = new WaitGroup();

      expectThrow(() => wg.go(task as never), TypeError, message);

      expect(wg.count).toBe(0);
    });

    it('counts the task while it runs and returns its result', async () => {
      const wg = new WaitGroup();
      const gate = chan<string>();

      const task = wg.go(() => gate.receive());
      const countWhileRunning = wg.count;
      await gate.send('value');

      expect(countWhileRunning).toBe(1);
      expect(await task).toBe('value');
      expect(wg.count).toBe(0);
    });

    it('starts the task synchronously before returning', () => {
      const wg = new WaitGroup();
      const steps: string[] = [];

      void wg.go(async () => {
        steps.push('task starts');
      });
      steps.push('go returned');

      expect(steps).toEqual(['task starts', 'go returned']);
    });

    it('lowers the count before the caller sees the result', async () => {
      const wg = new WaitGroup();

      const countAtResult = await wg.go(async () => 'x').then(() => wg.count);

      expect(countAtResult).toBe(0);
    });

    it('counts a failing task as done and returns its rejection', async () => {
      const wg = new WaitGroup();
      const failure = new Error('boom');

      const task = wg.go(async () => {
        await null;
        throw failure;
      });
      await expect(task).rejects.toBe(failure);
      await wg.wait();

      expect(wg.count).toBe(0);
    });

    it('counts a synchronously throwing task as done', async () => {
      const wg = new WaitGroup();
      const failure = new Error('sync');

      const task = wg.go(() => {
        throw failure;
      });

      expect(wg.count).toBe(1);
      await expect(task).rejects.toBe(failure);
      await wg.wait();
      expect(wg.count).toBe(0);
    });

    it('lets wait resolve only after every task has finished', async () => {
      const wg = new WaitGroup();
      const steps: string[] = [];
      const gates = [chan<void>(), chan<void>()];
      gates.forEach((gate, i) => {
        void wg.go(async () => {
          await gate.receive();
          steps.push(`task ${i} finished`);
        });
      });
      const waited = track(wg.wait(), steps, 'wait');

      await gates[1]!.send();
      await gates[0]!.send();
      await waited;

      expect(steps).toEqual(['task 1 finished', 'task 0 finished', 'wait resolved']);
    });
  });
});
