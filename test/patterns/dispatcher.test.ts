import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ChannelClosedError,
  Dispatcher,
  chan,
  type Channel,
  type DispatcherFailure,
} from '../../src/index.js';

/** Lets every queued promise job run (a macrotask turn, not a timed sleep). */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Asserts that `fn` throws exactly `type` with exactly `message`. */
function expectThrow(
  fn: () => unknown,
  type: abstract new (...args: never[]) => Error,
  message: string,
): void {
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
 * A handler whose jobs each wait for their own gate (opened by `open(job)`),
 * logging start and end; it records the largest number running at once.
 */
function gatedHandler(steps: string[]) {
  const gates = new Map<string, Channel<void>>();
  const gateOf = (job: string): Channel<void> => {
    let gate = gates.get(job);
    if (gate === undefined) {
      gate = chan<void>(1);
      gates.set(job, gate);
    }
    return gate;
  };
  const state = { running: 0, maxRunning: 0 };
  const handler = async (job: string, signal: AbortSignal): Promise<void> => {
    state.running++;
    state.maxRunning = Math.max(state.maxRunning, state.running);
    steps.push(`${job} starts`);
    try {
      await gateOf(job).receive({ signal });
      steps.push(`${job} ends`);
    } finally {
      state.running--;
    }
  };
  const open = (job: string): void => void gateOf(job).trySend();
  return { handler, open, state };
}

const noop = (): void => {};

describe('Dispatcher', () => {
  describe('constructor', () => {
    it.each([
      [
        { maxWorkers: 0, maxQueue: 1 },
        'Dispatcher(): maxWorkers must be a positive integer, got 0',
      ],
      [
        { maxWorkers: 2.5, maxQueue: 1 },
        'Dispatcher(): maxWorkers must be a positive integer, got 2.5',
      ],
      [{ maxWorkers: 1, maxQueue: 0 }, 'Dispatcher(): maxQueue must be a positive integer, got 0'],
      [
        { maxWorkers: 1, maxQueue: -3 },
        'Dispatcher(): maxQueue must be a positive integer, got -3',
      ],
      [
        { maxWorkers: 1, maxQueue: '4' },
        'Dispatcher(): maxQueue must be a positive integer, got "4"',
      ],
    ])('throws a RangeError for the sizes %o', (sizes, message) => {
      expectThrow(
        () =>
          new Dispatcher({ ...(sizes as { maxWorkers: number; maxQueue: number }), handler: noop }),
        RangeError,
        message,
      );
    });

    it('throws a TypeError for options that are not an object', () => {
      expectThrow(
        () => new Dispatcher(null as never),
        TypeError,
        'Dispatcher(): options must be an object, got null',
      );
    });

    it('throws a TypeError for a handler that is not a function', () => {
      expectThrow(
        () => new Dispatcher({ maxWorkers: 1, maxQueue: 1, handler: 5 as never }),
        TypeError,
        'Dispatcher(): handler must be a function, got 5',
      );
    });

    it('throws a TypeError for hooks that are not functions', () => {
      expectThrow(
        () => new Dispatcher({ maxWorkers: 1, maxQueue: 1, handler: noop, onError: {} as never }),
        TypeError,
        'Dispatcher(): onError must be a function, got an object',
      );
      expectThrow(
        () =>
          new Dispatcher({ maxWorkers: 1, maxQueue: 1, handler: noop, onUndelivered: [] as never }),
        TypeError,
        'Dispatcher(): onUndelivered must be a function, got an array',
      );
    });

    it('throws a TypeError for a signal that is not an AbortSignal', () => {
      expectThrow(
        () => new Dispatcher({ maxWorkers: 1, maxQueue: 1, handler: noop, signal: 1 as never }),
        TypeError,
        'Dispatcher(): signal must be an AbortSignal, got 1',
      );
    });

    it('registers every worker as idle and queues nothing', async () => {
      const dispatcher = new Dispatcher({ maxWorkers: 3, maxQueue: 2, handler: noop });

      await flush();

      expect(dispatcher.idleWorkers).toBe(3);
      expect(dispatcher.queued).toBe(0);
      expect(dispatcher.running).toBe(0);
      expect(dispatcher.closed).toBe(false);
      await dispatcher.stop();
    });
  });

  describe('fromEnv', () => {
    afterEach(() => {
      vi.unstubAllEnvs();
    });

    it('reads MAX_WORKERS and MAX_QUEUE from the given variables', async () => {
      const dispatcher = Dispatcher.fromEnv(noop, { MAX_WORKERS: '4', MAX_QUEUE: ' 12 ' });

      expect([dispatcher.maxWorkers, dispatcher.maxQueue]).toEqual([4, 12]);
      await dispatcher.stop();
    });

    it('reads process.env by default', async () => {
      vi.stubEnv('MAX_WORKERS', '2');
      vi.stubEnv('MAX_QUEUE', '7');

      const dispatcher = Dispatcher.fromEnv(noop);

      expect([dispatcher.maxWorkers, dispatcher.maxQueue]).toEqual([2, 7]);
      await dispatcher.stop();
    });

    it('falls back to the given sizes for unset or empty variables', async () => {
      const dispatcher = Dispatcher.fromEnv(
        noop,
        { MAX_QUEUE: '' },
        { maxWorkers: 3, maxQueue: 5 },
      );

      expect([dispatcher.maxWorkers, dispatcher.maxQueue]).toEqual([3, 5]);
      await dispatcher.stop();
    });

    it('passes the other options to the dispatcher', async () => {
      const failures: unknown[] = [];
      const dispatcher = Dispatcher.fromEnv(
        () => {
          throw new Error('upload failed');
        },
        { MAX_WORKERS: '1', MAX_QUEUE: '1' },
        { onError: (error) => failures.push(error) },
      );

      await dispatcher.submit('job');
      await dispatcher.stop();

      expect(failures.map((e) => (e as Error).message)).toEqual(['upload failed']);
    });

    it.each([
      [{ MAX_WORKERS: '0', MAX_QUEUE: '1' }, 'MAX_WORKERS must be a positive integer, got "0"'],
      [{ MAX_WORKERS: '-1', MAX_QUEUE: '1' }, 'MAX_WORKERS must be a positive integer, got "-1"'],
      [{ MAX_WORKERS: '1.5', MAX_QUEUE: '1' }, 'MAX_WORKERS must be a positive integer, got "1.5"'],
      [{ MAX_WORKERS: '2e3', MAX_QUEUE: '1' }, 'MAX_WORKERS must be a positive integer, got "2e3"'],
      [{ MAX_WORKERS: '2', MAX_QUEUE: 'ten' }, 'MAX_QUEUE must be a positive integer, got "ten"'],
      [{ MAX_QUEUE: '1' }, 'MAX_WORKERS must be a positive integer, got undefined'],
      [{ MAX_WORKERS: '1', MAX_QUEUE: '  ' }, 'MAX_QUEUE must be a positive integer, got "  "'],
    ])('throws a RangeError naming the variable for %o', (env, rule) => {
      expectThrow(() => Dispatcher.fromEnv(noop, env), RangeError, `Dispatcher.fromEnv(): ${rule}`);
    });

    it('throws a TypeError for a handler that is not a function', () => {
      expectThrow(
        () => Dispatcher.fromEnv(undefined as never, { MAX_WORKERS: '1', MAX_QUEUE: '1' }),
        TypeError,
        'Dispatcher.fromEnv(): handler must be a function, got undefined',
      );
    });

    it('throws a TypeError for an env that is not an object', () => {
      expectThrow(
        () => Dispatcher.fromEnv(noop, 'MAX_WORKERS=1' as never),
        TypeError,
        'Dispatcher.fromEnv(): env must be an object, got "MAX_WORKERS=1"',
      );
    });
  });

  describe('submit', () => {
    it('starts jobs in submission order', async () => {
      const steps: string[] = [];
      const dispatcher = new Dispatcher<string>({
        maxWorkers: 1,
        maxQueue: 3,
        handler: (job) => void steps.push(job),
      });

      for (const job of ['a', 'b', 'c', 'd']) await dispatcher.submit(job);
      await dispatcher.stop();

      expect(steps).toEqual(['a', 'b', 'c', 'd']);
    });

    it('waits while the queue is full, until a worker frees a slot', async () => {
      const steps: string[] = [];
      const { handler, open } = gatedHandler(steps);
      const dispatcher = new Dispatcher({ maxWorkers: 1, maxQueue: 1, handler });
      await dispatcher.submit('a');
      await flush();
      await dispatcher.submit('b');

      const third = track(dispatcher.submit('c'), steps, 'submit c');
      await flush();
      steps.push(`queued ${dispatcher.queued}`);
      open('a');
      await third;
      open('b');
      open('c');
      await dispatcher.stop();

      expect(steps).toEqual([
        'a starts',
        'queued 1',
        'a ends',
        'submit c resolved',
        'b starts',
        'b ends',
        'c starts',
        'c ends',
      ]);
    });

    it('is withdrawn when its signal aborts, and the job never runs', async () => {
      const steps: string[] = [];
      const { handler, open } = gatedHandler(steps);
      const dispatcher = new Dispatcher({ maxWorkers: 1, maxQueue: 1, handler });
      await dispatcher.submit('a');
      await flush();
      await dispatcher.submit('b');
      const controller = new AbortController();

      const waiting = track(
        dispatcher.submit('c', { signal: controller.signal }),
        steps,
        'submit c',
      );
      controller.abort(new Error('no room'));
      await waiting;
      open('a');
      open('b');
      await dispatcher.stop();

      expect(steps).toEqual([
        'a starts',
        'submit c rejected no room',
        'a ends',
        'b starts',
        'b ends',
      ]);
    });

    it('rejects with ChannelClosedError once stopping has started', async () => {
      const dispatcher = new Dispatcher({ maxWorkers: 1, maxQueue: 1, handler: noop });
      const stopped = dispatcher.stop();

      const late = dispatcher.submit('late');

      await expect(late).rejects.toThrow(ChannelClosedError);
      await expect(late).rejects.toThrow('Dispatcher.submit(): dispatcher is stopped');
      await stopped;
    });
  });

  describe('trySubmit', () => {
    it('queues a job while there is room and returns false when the queue is full', async () => {
      const steps: string[] = [];
      const { handler, open } = gatedHandler(steps);
      const dispatcher = new Dispatcher({ maxWorkers: 1, maxQueue: 2, handler });
      await dispatcher.submit('a');
      await flush();

      const accepted = ['b', 'c', 'd'].map((job) => dispatcher.trySubmit(job));
      for (const job of ['a', 'b', 'c']) open(job);
      await dispatcher.stop();

      expect(accepted).toEqual([true, true, false]);
      expect(steps.filter((step) => step.endsWith('starts'))).toEqual([
        'a starts',
        'b starts',
        'c starts',
      ]);
    });

    it('throws ChannelClosedError once stopping has started', async () => {
      const dispatcher = new Dispatcher({ maxWorkers: 1, maxQueue: 1, handler: noop });
      const stopped = dispatcher.stop();

      expectThrow(
        () => dispatcher.trySubmit('late'),
        ChannelClosedError,
        'Dispatcher.trySubmit(): dispatcher is stopped',
      );
      await stopped;
    });
  });

  describe('state', () => {
    it('reports queued jobs, idle workers and running handlers', async () => {
      const steps: string[] = [];
      const { handler, open } = gatedHandler(steps);
      const dispatcher = new Dispatcher({ maxWorkers: 2, maxQueue: 3, handler });

      await dispatcher.submit('a');
      await flush();
      const oneRunning = [dispatcher.running, dispatcher.idleWorkers, dispatcher.queued];
      for (const job of ['b', 'c', 'd']) await dispatcher.submit(job);
      await flush();
      const allBusy = [dispatcher.running, dispatcher.idleWorkers, dispatcher.queued];
      for (const job of ['a', 'b', 'c', 'd']) open(job);
      await flush();
      const done = [dispatcher.running, dispatcher.idleWorkers, dispatcher.queued];
      await dispatcher.stop();

      expect({ oneRunning, allBusy, done }).toEqual({
        oneRunning: [1, 1, 0],
        allBusy: [2, 0, 2],
        done: [0, 2, 0],
      });
    });

    it('never runs more than maxWorkers handlers at once', async () => {
      const steps: string[] = [];
      const { handler, open, state } = gatedHandler(steps);
      const dispatcher = new Dispatcher({ maxWorkers: 3, maxQueue: 10, handler });
      const jobs = Array.from({ length: 10 }, (_, i) => `job${i}`);

      for (const job of jobs) await dispatcher.submit(job);
      for (const job of jobs.reverse()) {
        open(job);
        await flush();
      }
      await dispatcher.stop();

      expect(state.maxRunning).toBe(3);
      expect(steps.filter((step) => step.endsWith('ends'))).toHaveLength(10);
    });
  });

  describe('stop with drain', () => {
    it('processes every queued job, then resolves with no undelivered job', async () => {
      const handled: number[] = [];
      const dispatcher = new Dispatcher<number>({
        maxWorkers: 2,
        maxQueue: 5,
        handler: async (job) => {
          await null;
          handled.push(job);
        },
      });
      for (const job of [1, 2, 3, 4, 5]) await dispatcher.submit(job);

      const undelivered = await dispatcher.stop({ drain: true });

      expect(handled.sort()).toEqual([1, 2, 3, 4, 5]);
      expect(undelivered).toEqual([]);
      expect(dispatcher.closed).toBe(true);
    });

    it('rejects submits still waiting for room, whose jobs never run', async () => {
      const steps: string[] = [];
      const { handler, open } = gatedHandler(steps);
      const dispatcher = new Dispatcher({ maxWorkers: 1, maxQueue: 1, handler });
      await dispatcher.submit('a');
      await flush();
      await dispatcher.submit('b');
      const waiting = track(dispatcher.submit('c'), steps, 'submit c');

      const stopped = track(dispatcher.stop(), steps, 'stop');
      await waiting;
      open('a');
      open('b');
      await stopped;

      expect(steps).toEqual([
        'a starts',
        'submit c rejected Dispatcher.submit(): dispatcher stopped while the submit waited',
        'a ends',
        'b starts',
        'b ends',
        'stop resolved',
      ]);
    });

    it('returns the same promise when called again', async () => {
      const dispatcher = new Dispatcher({ maxWorkers: 1, maxQueue: 1, handler: noop });

      const first = dispatcher.stop();
      const second = dispatcher.stop({ drain: true });
      await first;

      expect(second).toBe(first);
    });

    it('rejects with an AggregateError of the handler failures', async () => {
      const dispatcher = new Dispatcher<number>({
        maxWorkers: 2,
        maxQueue: 4,
        handler: (job) => {
          if (job % 2 === 0) throw new Error(`job ${job} failed`);
        },
      });
      for (const job of [1, 2, 3, 4]) await dispatcher.submit(job);

      const failure = (await dispatcher.stop().then(
        () => undefined,
        (error: unknown) => error,
      )) as DispatcherFailure<number>;

      expect(failure).toBeInstanceOf(AggregateError);
      expect(failure.message).toBe('Dispatcher.stop(): 2 jobs failed');
      expect(failure.errors.map((e: Error) => e.message)).toEqual(['job 2 failed', 'job 4 failed']);
      expect(failure.undelivered).toEqual([]);
    });

    it('hands each failure and its job to onError instead', async () => {
      const failures: string[] = [];
      const dispatcher = new Dispatcher<number>({
        maxWorkers: 1,
        maxQueue: 2,
        handler: async (job) => {
          throw new Error(`job ${job} failed`);
        },
        onError: (error, job) => failures.push(`${job}: ${(error as Error).message}`),
      });

      await dispatcher.submit(7);
      await dispatcher.stop();

      expect(failures).toEqual(['7: job 7 failed']);
    });
  });

  describe('stop without drain', () => {
    it('hands queued jobs back in order and aborts running handlers', async () => {
      const steps: string[] = [];
      const { handler } = gatedHandler(steps);
      const handedBack: string[] = [];
      const dispatcher = new Dispatcher({
        maxWorkers: 2,
        maxQueue: 3,
        handler,
        onUndelivered: (job) => handedBack.push(job),
      });
      for (const job of ['a', 'b', 'c', 'd', 'e']) await dispatcher.submit(job);
      await flush();

      const undelivered = await dispatcher.stop({ drain: false });

      expect(undelivered).toEqual(['c', 'd', 'e']);
      expect(handedBack).toEqual(['c', 'd', 'e']);
      expect(steps).toEqual(['a starts', 'b starts']);
      expect(dispatcher.running).toBe(0);
    });

    it('gives running handlers the reason, and a handler obeying it is no failure', async () => {
      const seen: unknown[] = [];
      const reason = new Error('shutting down');
      const dispatcher = new Dispatcher<string>({
        maxWorkers: 1,
        maxQueue: 1,
        handler: (_job, signal) =>
          new Promise((_resolve, reject) => {
            signal.addEventListener('abort', () => {
              seen.push(signal.reason);
              reject(signal.reason);
            });
          }),
      });
      await dispatcher.submit('a');
      await flush();

      const undelivered = await dispatcher.stop({ drain: false, reason });

      expect(seen).toEqual([reason]);
      expect(undelivered).toEqual([]);
    });

    it('turns a drain in progress into an abort', async () => {
      const steps: string[] = [];
      const { handler, open } = gatedHandler(steps);
      const dispatcher = new Dispatcher({ maxWorkers: 1, maxQueue: 3, handler });
      for (const job of ['a', 'b', 'c']) await dispatcher.submit(job);
      await flush();
      const draining = dispatcher.stop({ drain: true });
      open('a');
      await flush();

      const aborting = dispatcher.stop({ drain: false });

      expect(aborting).toBe(draining);
      expect(await aborting).toEqual(['c']);
      expect(steps).toEqual(['a starts', 'a ends', 'b starts']);
    });

    it('carries the undelivered jobs on the AggregateError when handlers had failed', async () => {
      const dispatcher = new Dispatcher<string>({
        maxWorkers: 1,
        maxQueue: 2,
        handler: (job, signal) => {
          if (job === 'bad') throw new Error('bad job');
          return new Promise((resolve) => signal.addEventListener('abort', resolve));
        },
      });
      for (const job of ['bad', 'slow', 'x', 'y']) await dispatcher.submit(job);
      await flush();

      const failure = (await dispatcher.stop({ drain: false }).then(
        () => undefined,
        (error: unknown) => error,
      )) as DispatcherFailure<string>;

      expect(failure.message).toBe('Dispatcher.stop(): 1 job failed');
      expect(failure.undelivered).toEqual(['x', 'y']);
    });

    it('throws a TypeError for a drain that is not a boolean', async () => {
      const dispatcher = new Dispatcher({ maxWorkers: 1, maxQueue: 1, handler: noop });

      expectThrow(
        () => dispatcher.stop({ drain: 'no' as never }),
        TypeError,
        'Dispatcher.stop(): drain must be a boolean, got "no"',
      );
      await dispatcher.stop();
    });

    it('throws a TypeError for options that are not an object', async () => {
      const dispatcher = new Dispatcher({ maxWorkers: 1, maxQueue: 1, handler: noop });

      expectThrow(
        () => dispatcher.stop(true as never),
        TypeError,
        'Dispatcher.stop(): options must be an object, got true',
      );
      await dispatcher.stop();
    });
  });

  describe('with a signal', () => {
    it('stops without draining when the signal aborts', async () => {
      const steps: string[] = [];
      const { handler } = gatedHandler(steps);
      const controller = new AbortController();
      const dispatcher = new Dispatcher({
        maxWorkers: 1,
        maxQueue: 2,
        handler,
        signal: controller.signal,
      });
      for (const job of ['a', 'b', 'c']) await dispatcher.submit(job);
      await flush();

      controller.abort(new Error('interrupt'));

      expect(dispatcher.closed).toBe(true);
      expect(await dispatcher.stop()).toEqual(['b', 'c']);
      expect(steps).toEqual(['a starts']);
    });

    it('starts stopped when the signal has already aborted', async () => {
      const dispatcher = new Dispatcher({
        maxWorkers: 2,
        maxQueue: 2,
        handler: noop,
        signal: AbortSignal.abort(),
      });

      expect(dispatcher.closed).toBe(true);
      expect(await dispatcher.stop()).toEqual([]);
    });

    it('removes its abort listener once stopped', async () => {
      const controller = new AbortController();
      const dispatcher = new Dispatcher({
        maxWorkers: 1,
        maxQueue: 1,
        handler: noop,
        signal: controller.signal,
      });

      await dispatcher.stop();

      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });
  });
});
