import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Group, chan, type Channel } from '../../src/index.js';

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
    (error: unknown) => void steps.push(`${name} rejected ${(error as Error).message}`),
  );
}

/**
 * A task that logs its start, waits for its gate, logs its end and then
 * fails if the gate handed it an error.
 */
function gatedTask(name: string, gate: Channel<Error | null>, steps: string[]) {
  return async (): Promise<void> => {
    steps.push(`${name} starts`);
    const failure = await gate.receive();
    steps.push(failure === null ? `${name} succeeds` : `${name} fails with ${failure.message}`);
    if (failure !== null) throw failure;
  };
}

function parentListeners(signal: AbortSignal): number {
  return getEventListeners(signal, 'abort').length;
}

describe('Group', () => {
  describe('constructor', () => {
    it('throws a TypeError for options that are not an object', () => {
      expectThrow(
        () => new Group(7 as never),
        TypeError,
        'Group(): options must be an object, got 7',
      );
    });

    it('throws a TypeError for a signal that is not an AbortSignal', () => {
      expectThrow(
        () => new Group({ signal: {} as AbortSignal }),
        TypeError,
        'Group(): signal must be an AbortSignal, got an object',
      );
    });

    it.each([
      [0, 'Group(): limit must be a positive integer, got 0'],
      [-1, 'Group(): limit must be a positive integer, got -1'],
      [1.5, 'Group(): limit must be a positive integer, got 1.5'],
      [NaN, 'Group(): limit must be a positive integer, got NaN'],
      [Infinity, 'Group(): limit must be a positive integer, got Infinity'],
      ['2', 'Group(): limit must be a positive integer, got "2"'],
    ])('throws a RangeError for the limit %s', (limit, message) => {
      expectThrow(() => new Group({ limit: limit as number }), RangeError, message);
    });

    it('starts with a live signal', () => {
      const group = new Group();

      expect(group.signal.aborted).toBe(false);
    });
  });

  describe('go', () => {
    it.each([
      [42, 'Group.go(): task must be a function, got 42'],
      [null, 'Group.go(): task must be a function, got null'],
    ])('throws a TypeError for the task %s', (task, message) => {
      const group = new Group();

      expectThrow(() => group.go(task as never), TypeError, message);
    });

    it('runs the task synchronously with the group signal before returning', async () => {
      const group = new Group();
      const steps: string[] = [];
      let seen: AbortSignal | undefined;

      const started = group.go((signal) => {
        seen = signal;
        steps.push('task runs');
      });
      steps.push('go returned');
      await started;

      expect(steps).toEqual(['task runs', 'go returned']);
      expect(seen).toBe(group.signal);
    });

    it('returns a promise that resolves even when the task fails', async () => {
      const group = new Group();

      const started = group.go(async () => {
        throw new Error('boom');
      });

      await expect(started).resolves.toBeUndefined();
      await expect(group.wait()).rejects.toThrow('boom');
    });

    it('counts a synchronous throw as a failure', async () => {
      const group = new Group();
      const failure = new Error('sync');

      void group.go(() => {
        throw failure;
      });

      await expect(group.wait()).rejects.toBe(failure);
      expect(group.signal.reason).toBe(failure);
    });
  });

  describe('tryGo', () => {
    it('throws a TypeError for a task that is not a function', () => {
      const group = new Group();

      expectThrow(
        () => group.tryGo('task' as never),
        TypeError,
        'Group.tryGo(): task must be a function, got "task"',
      );
    });

    it('starts the task when a slot is free and refuses without queueing at the limit', async () => {
      const group = new Group({ limit: 1 });
      const steps: string[] = [];
      const gate = chan<Error | null>();

      const first = group.tryGo(gatedTask('first', gate, steps));
      const second = group.tryGo(gatedTask('second', gate, steps));
      await gate.send(null);
      await group.wait();
      const third = group.tryGo(async () => void steps.push('third runs'));
      await group.wait();

      expect([first, second, third]).toEqual([true, false, true]);
      expect(steps).toEqual(['first starts', 'first succeeds', 'third runs']);
    });

    it('starts every task when there is no limit', () => {
      const group = new Group();

      const results = [1, 2, 3].map(() => group.tryGo(() => new Promise(() => {})));

      expect(results).toEqual([true, true, true]);
    });
  });

  describe('wait', () => {
    it('resolves at once when no task was started', async () => {
      const group = new Group();

      await expect(group.wait()).resolves.toBeUndefined();
    });

    it('resolves, for every waiter, only after every task has finished', async () => {
      const group = new Group();
      const steps: string[] = [];
      const gates = [chan<Error | null>(), chan<Error | null>()];
      gates.forEach((gate, i) => void group.go(gatedTask(`task ${i}`, gate, steps)));
      const waiters = Promise.all([
        track(group.wait(), steps, 'first wait'),
        track(group.wait(), steps, 'second wait'),
      ]);

      await gates[1]!.send(null);
      await flush();
      await gates[0]!.send(null);
      await waiters;

      expect(steps).toEqual([
        'task 0 starts',
        'task 1 starts',
        'task 1 succeeds',
        'task 0 succeeds',
        'first wait resolved',
        'second wait resolved',
      ]);
      expect(group.signal.aborted).toBe(false);
    });
  });

  describe('first failure', () => {
    it('wins over later failures and is reported only after every task finished', async () => {
      const group = new Group();
      const steps: string[] = [];
      const [a, b, c] = [chan<Error | null>(), chan<Error | null>(), chan<Error | null>()];
      const errorA = new Error('a');
      const errorB = new Error('b');
      group.signal.addEventListener('abort', () => {
        steps.push(`signal aborted with ${(group.signal.reason as Error).message}`);
      });
      void group.go(gatedTask('A', a, steps));
      void group.go(gatedTask('B', b, steps));
      void group.go(gatedTask('C', c, steps));
      const waited = track(group.wait(), steps, 'wait');

      await b.send(errorB);
      await flush();
      await a.send(errorA);
      await flush();
      steps.push('C still running');
      await c.send(null);
      await waited;

      expect(steps).toEqual([
        'A starts',
        'B starts',
        'C starts',
        'B fails with b',
        'signal aborted with b',
        'A fails with a',
        'C still running',
        'C succeeds',
        'wait rejected b',
      ]);
      expect(group.signal.reason).toBe(errorB);
      await expect(group.wait()).rejects.toBe(errorB);
    });

    it('runs tasks started after the failure with an already aborted signal', async () => {
      const group = new Group();
      const failure = new Error('first');
      void group.go(async () => {
        throw failure;
      });
      await expect(group.wait()).rejects.toBe(failure);
      const seen: unknown[] = [];

      void group.go((signal) => {
        seen.push(signal.aborted, signal.reason);
      });

      expect(seen).toEqual([true, failure]);
      await expect(group.wait()).rejects.toBe(failure);
    });

    it('rejects with an undefined failure, since the first failure is whatever was thrown', async () => {
      const group = new Group();

      void group.go(() => Promise.reject(undefined));

      await expect(group.wait()).rejects.toBeUndefined();
      expect(group.signal.aborted).toBe(true);
    });
  });

  describe('limit', () => {
    it('runs at most limit tasks and starts queued ones in call order', async () => {
      const group = new Group({ limit: 2 });
      const steps: string[] = [];
      const gates = [0, 1, 2, 3, 4].map(() => chan<Error | null>());
      let running = 0;
      let mostRunning = 0;
      const started = gates.map((gate, i) => {
        const task = gatedTask(`task ${i}`, gate, steps);
        const go = group.go(async () => {
          mostRunning = Math.max(mostRunning, ++running);
          await task();
          running--;
        });
        return track(go, steps, `go ${i}`);
      });
      await flush();
      steps.push('release 1');
      await gates[1]!.send(null);
      await flush();
      steps.push('release 0');
      await gates[0]!.send(null);
      await flush();
      steps.push('release 3');
      await gates[3]!.send(null);
      await flush();
      steps.push('release 2 and 4');
      await gates[2]!.send(null);
      await gates[4]!.send(null);
      await group.wait();
      await Promise.all(started);

      expect(steps).toEqual([
        'task 0 starts',
        'task 1 starts',
        'go 0 resolved',
        'go 1 resolved',
        'release 1',
        'task 1 succeeds',
        'task 2 starts',
        'go 2 resolved',
        'release 0',
        'task 0 succeeds',
        'task 3 starts',
        'go 3 resolved',
        'release 3',
        'task 3 succeeds',
        'task 4 starts',
        'go 4 resolved',
        'release 2 and 4',
        'task 2 succeeds',
        'task 4 succeeds',
      ]);
      expect(mostRunning).toBe(2);
    });

    it('starts queued tasks after a failure, with the aborted signal', async () => {
      const group = new Group({ limit: 1 });
      const seen: boolean[] = [];
      const gate = chan<Error | null>();
      void group.go(gatedTask('first', gate, []));
      const queued = group.go((signal) => void seen.push(signal.aborted));

      await gate.send(new Error('first failed'));
      await queued;

      expect(seen).toEqual([true]);
      await expect(group.wait()).rejects.toThrow('first failed');
    });

    it('queues a task started from an abort listener behind the tasks already queued', async () => {
      const group = new Group({ limit: 1 });
      const steps: string[] = [];
      const gate = chan<Error | null>();
      group.signal.addEventListener('abort', () => {
        void group.go(() => void steps.push('late task runs'));
      });
      void group.go(gatedTask('first', gate, steps));
      void group.go(() => void steps.push('queued task runs'));

      await gate.send(new Error('x'));
      await group.wait().catch(() => {});

      expect(steps).toEqual([
        'first starts',
        'first fails with x',
        'queued task runs',
        'late task runs',
      ]);
    });

    it('counts a queued task as running before it starts, so it cannot overrun the limit', async () => {
      const group = new Group({ limit: 1 });
      const steps: string[] = [];
      const gate = chan<Error | null>();
      void group.go(gatedTask('first', gate, steps));
      void group.go(() => {
        steps.push('second runs');
        steps.push(`tryGo inside second: ${group.tryGo(() => {})}`);
      });

      await gate.send(null);
      await group.wait();

      expect(steps).toEqual([
        'first starts',
        'first succeeds',
        'second runs',
        'tryGo inside second: false',
      ]);
    });
  });

  describe('parent signal', () => {
    it('aborts the group signal with the parent reason while tasks run', async () => {
      const parent = new AbortController();
      const group = new Group({ signal: parent.signal });
      const steps: string[] = [];
      void group.go(async (signal) => {
        steps.push('task waits');
        await new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason));
        });
      });
      const waited = track(group.wait(), steps, 'wait');

      steps.push('parent aborts');
      parent.abort(new Error('shutdown'));
      await waited;

      expect(steps).toEqual(['task waits', 'parent aborts', 'wait rejected shutdown']);
      expect(group.signal.reason).toBe(parent.signal.reason);
    });

    it('starts aborted when the parent already is', () => {
      const reason = new Error('gone');

      const group = new Group({ signal: AbortSignal.abort(reason) });

      expect(group.signal.aborted).toBe(true);
      expect(group.signal.reason).toBe(reason);
    });

    it('keeps the first failure as the reason when the parent aborts later', async () => {
      const parent = new AbortController();
      const group = new Group({ signal: parent.signal });
      const failure = new Error('task');
      void group.go(async () => {
        throw failure;
      });
      await group.wait().catch(() => {});

      parent.abort('later');

      expect(group.signal.reason).toBe(failure);
      expect(parentListeners(parent.signal)).toBe(0);
    });

    it('holds one parent listener while busy and none once idle', async () => {
      const parent = new AbortController();
      const group = new Group({ signal: parent.signal });
      const gates = [chan<Error | null>(), chan<Error | null>()];
      const counts: number[] = [parentListeners(parent.signal)];

      gates.forEach((gate, i) => void group.go(gatedTask(`task ${i}`, gate, [])));
      counts.push(parentListeners(parent.signal));
      await gates[0]!.send(null);
      await gates[1]!.send(null);
      await group.wait();
      counts.push(parentListeners(parent.signal));
      void group.go(() => new Promise(() => {}));
      counts.push(parentListeners(parent.signal));

      expect(counts).toEqual([1, 1, 0, 1]);
    });

    it('reports a parent abort that happened while idle when read or when a task starts', async () => {
      const parent = new AbortController();
      const group = new Group({ signal: parent.signal });
      void group.go(() => {});
      await group.wait();
      // `group` is checked by reading its signal, `fresh` by starting a task.
      const fresh = new Group({ signal: parent.signal });
      void fresh.go(() => {});
      await fresh.wait();
      let seen: unknown;

      parent.abort('while idle');
      void fresh.go((signal) => {
        seen = signal.reason;
      });

      expect(group.signal.reason).toBe('while idle');
      expect(seen).toBe('while idle');
    });
  });
});
