import { describe, expect, it } from 'vitest';
import {
  chan,
  go,
  pipeline,
  poolMap,
  type PipelineStage,
  type ReceiveChannel,
} from '../../src/index.js';

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

/**
 * A one-task stage applying `fn` to each value, logging into `steps`, and
 * recording the signal it was given.
 */
function mapStage<A, B>(
  name: string,
  fn: (value: A) => B,
  steps: string[] = [],
  seen: { signal?: AbortSignal } = {},
): PipelineStage<A, B> {
  return (input, signal) => {
    seen.signal = signal;
    const output = chan<B>();
    const done = go(async () => {
      for await (const value of input.values({ signal })) {
        const result = fn(value);
        steps.push(`${name} ${String(value)}`);
        await output.send(result, { signal });
      }
      output.close();
    });
    return { output, done };
  };
}

async function readAll<T>(output: ReceiveChannel<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of output) values.push(value);
  return values;
}

describe('pipeline', () => {
  describe('arguments', () => {
    const stage = mapStage<number, number>('id', (n) => n);

    it('throws a TypeError for a source that is not a channel', () => {
      expectThrow(
        () => pipeline(7 as never, stage),
        TypeError,
        'pipeline(): source must be a channel, got 7',
      );
    });

    it('throws a TypeError without stages', () => {
      expectThrow(
        () => pipeline(chan<number>(), ...([] as never[])),
        TypeError,
        'pipeline(): at least one stage is required, got 0',
      );
    });

    it('throws a TypeError for a stage that is not a function', () => {
      expectThrow(
        () => pipeline(chan<number>(), stage, 'x' as never, stage),
        TypeError,
        'pipeline(): stage 2 must be a function, got "x"',
      );
    });

    it('throws a TypeError for options that are not an object', () => {
      expectThrow(
        () => pipeline(chan<number>(), stage, 5 as never),
        TypeError,
        'pipeline(): options must be an object, got 5',
      );
    });

    it('throws a TypeError for a signal that is not an AbortSignal', () => {
      expectThrow(
        () => pipeline(chan<number>(), stage, { signal: 'no' as never }),
        TypeError,
        'pipeline(): signal must be an AbortSignal, got "no"',
      );
    });

    it('tears down the stages already built when a stage returns no channel', () => {
      const first: { signal?: AbortSignal } = {};

      expectThrow(
        () =>
          pipeline(
            chan<number>(),
            mapStage('a', (n: number) => n, [], first),
            () => 42 as never,
          ),
        TypeError,
        'pipeline(): stage 2 must return a channel or { output, done }, got 42',
      );

      expect(first.signal?.aborted).toBe(true);
    });

    it('rethrows what a stage throws while it is called, after tearing down earlier stages', () => {
      const first: { signal?: AbortSignal } = {};
      const boom = new Error('cannot build');

      let thrown: unknown;
      try {
        pipeline(
          chan<number>(),
          mapStage('a', (n: number) => n, [], first),
          () => {
            throw boom;
          },
        );
      } catch (error) {
        thrown = error;
      }

      expect(thrown).toBe(boom);
      expect(first.signal?.reason).toBe(boom);
    });
  });

  describe('running', () => {
    it('passes every value through the stages in order', async () => {
      const source = chan<number>(3);
      [1, 2, 3].forEach((n) => source.trySend(n));
      source.close();

      const run = pipeline(
        source,
        mapStage('double', (n: number) => n * 2),
        mapStage('format', (n: number) => `#${n}`),
      );
      const values = await readAll(run.output);
      await run.done;

      expect(values).toEqual(['#2', '#4', '#6']);
    });

    it('accepts a stage that returns a bare channel', async () => {
      const source = chan<number>(2);
      [1, 2].forEach((n) => source.trySend(n));
      source.close();
      const bare: PipelineStage<number, number> = (input) => {
        const output = chan<number>();
        void (async () => {
          for await (const n of input) await output.send(n + 100);
          output.close();
        })();
        return output;
      };

      const run = pipeline(source, bare);
      const values = await readAll(run.output);
      await run.done;

      expect(values).toEqual([101, 102]);
    });

    it('accepts poolMap as a stage', async () => {
      const source = chan<number>(3);
      [1, 2, 3].forEach((n) => source.trySend(n));
      source.close();

      const run = pipeline(source, (input, signal) =>
        poolMap(input, async (n) => n * n, { concurrency: 2, ordered: true, signal }),
      );
      const values = await readAll(run.output);
      await run.done;

      expect(values).toEqual([1, 4, 9]);
    });

    it('makes the producer wait while unbuffered stages are full', async () => {
      const source = chan<number>();
      const steps: string[] = [];
      const run = pipeline(
        source,
        mapStage('stage', (n: number) => n, steps),
      );
      const producer = (async () => {
        for (const n of [1, 2, 3]) {
          await source.send(n);
          steps.push(`sent ${n}`);
        }
      })();
      await flush();
      steps.push('nobody reads');

      steps.push(`read ${await run.output.receive()}`);
      await flush();
      run.cancel();
      // The pipeline leaves its source alone; the producer's owner stops it.
      source.cancel();
      await producer.catch((error: Error) => steps.push(`producer stopped: ${error.name}`));

      expect(steps).toEqual([
        'stage 1',
        'sent 1',
        'nobody reads',
        'read 1',
        'sent 2',
        'stage 2',
        'producer stopped: ChannelClosedError',
      ]);
    });
  });

  describe('a stage failure', () => {
    it('aborts every stage, cancels every output and rejects done with the failure', async () => {
      const source = chan<number>(3);
      [1, 2, 3].forEach((n) => source.trySend(n));
      const first: { signal?: AbortSignal } = {};
      const boom = new Error('boom');
      const failing: PipelineStage<number, number> = (input, signal) => {
        const output = chan<number>(4);
        const done = (async () => {
          await input.receive({ signal });
          throw boom;
        })();
        return { output, done };
      };

      const run = pipeline(
        source,
        mapStage('first', (n: number) => n, [], first),
        failing,
      );
      const failure = await run.done.catch((error: unknown) => error);

      expect(failure).toBe(boom);
      expect(first.signal?.aborted).toBe(true);
      expect(first.signal?.reason).toBe(boom);
      expect(run.output.closed).toBe(true);
    });

    it('leaves the values the first stage has not taken in the source', async () => {
      const source = chan<number>(3);
      [1, 2, 3].forEach((n) => source.trySend(n));
      const failing: PipelineStage<number, number> = (input, signal) => {
        const output = chan<number>();
        const done = (async () => {
          await input.receive({ signal });
          throw new Error('boom');
        })();
        return { output, done };
      };

      const run = pipeline(source, failing);
      await run.done.catch(() => undefined);

      expect(source.closed).toBe(false);
      expect(source.length).toBe(2);
    });
  });

  describe('cancel', () => {
    it('aborts every stage with the reason and resolves done once they stop', async () => {
      const source = chan<number>();
      const first: { signal?: AbortSignal } = {};
      const second: { signal?: AbortSignal } = {};
      const run = pipeline(
        source,
        mapStage('a', (n: number) => n, [], first),
        mapStage('b', (n: number) => n, [], second),
      );

      run.cancel('enough');
      await run.done;

      expect(first.signal?.reason).toBe('enough');
      expect(second.signal?.reason).toBe('enough');
      expect(run.output.closed).toBe(true);
      expect(source.closed).toBe(false);
    });

    it('never cancels the source, even through a stage that hands its input on', async () => {
      const source = chan<number>(2);
      source.trySend(1);
      const run = pipeline(source, (input) => input);

      run.cancel();
      await run.done;

      expect(source.closed).toBe(false);
      expect(source.length).toBe(1);
    });

    it('is idempotent and aborts with an AbortError by default', async () => {
      const first: { signal?: AbortSignal } = {};
      const run = pipeline(
        chan<number>(),
        mapStage('a', (n: number) => n, [], first),
      );

      run.cancel();
      run.cancel('later');
      await run.done;

      expect((first.signal?.reason as Error).name).toBe('AbortError');
    });
  });

  describe('abort', () => {
    it('tears down every stage and rejects done with the reason', async () => {
      const controller = new AbortController();
      const first: { signal?: AbortSignal } = {};
      const run = pipeline(
        chan<number>(),
        mapStage('a', (n: number) => n, [], first),
        {
          signal: controller.signal,
        },
      );

      controller.abort('halt');

      await expect(run.done).rejects.toBe('halt');
      expect(first.signal?.reason).toBe('halt');
      expect(run.output.closed).toBe(true);
    });

    it('starts torn down when the signal has already aborted', async () => {
      const first: { signal?: AbortSignal } = {};

      const run = pipeline(
        chan<number>(),
        mapStage('a', (n: number) => n, [], first),
        {
          signal: AbortSignal.abort('early'),
        },
      );

      await expect(run.done).rejects.toBe('early');
      expect(first.signal?.aborted).toBe(true);
      expect(run.output.closed).toBe(true);
    });
  });
});
