// Properties of the work pool and the job dispatcher, under interleavings
// chosen by fast-check's scheduler: every task and job waits for a
// scheduler step before it ends, and stops are scheduled among them.
import fc from 'fast-check';
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ChannelClosedError, Dispatcher, WorkerPool } from '../../src/index.js';
import { dispatch } from '../../src/rxjs.js';

/** Lets every queued promise job run (a macrotask turn, not a timed sleep). */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('WorkerPool', () => {
  it('resolves run only once a worker holds the task, and shutdown loses no accepted task', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 10 }),
        async (s, workers, count) => {
          const pool = new WorkerPool(workers);
          const starts = new Array<number>(count).fill(0);
          const accepted = new Set<number>();
          const refused = new Set<number>();
          let finished = 0;
          let maxHeld = 0;
          const runs = Array.from({ length: count }, (_, i) =>
            pool
              .run(async () => {
                starts[i] = (starts[i] as number) + 1;
                await s.schedule(Promise.resolve(), `task ${i} ends`);
                finished++;
              })
              .then(
                () => {
                  accepted.add(i);
                  // Accepted and unfinished tasks are each held by a worker.
                  maxHeld = Math.max(maxHeld, accepted.size - finished);
                },
                (error: unknown) => {
                  expect(error).toBeInstanceOf(ChannelClosedError);
                  refused.add(i);
                },
              ),
          );
          const stopping = s.schedule(Promise.resolve(), 'shutdown').then(() => pool.shutdown());

          await s.waitFor(Promise.all([...runs, stopping]));

          expect(maxHeld).toBeLessThanOrEqual(workers);
          expect(accepted.size + refused.size).toBe(count);
          for (let i = 0; i < count; i++) {
            expect(starts[i]).toBe(accepted.has(i) ? 1 : 0);
          }
          expect(finished).toBe(accepted.size);
        },
      ),
    );
  });
});

describe('Dispatcher', () => {
  it('with drain, handles every submitted job exactly once, never more than maxWorkers at once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 12 }),
        async (s, maxWorkers, maxQueue, count) => {
          const handled = new Array<number>(count).fill(0);
          let running = 0;
          let maxRunning = 0;
          const dispatcher = new Dispatcher<number>({
            maxWorkers,
            maxQueue,
            handler: async (job) => {
              running++;
              maxRunning = Math.max(maxRunning, running);
              await s.schedule(Promise.resolve(), `job ${job} ends`);
              handled[job] = (handled[job] as number) + 1;
              running--;
            },
          });
          const submits = Array.from({ length: count }, (_, i) =>
            s.schedule(Promise.resolve(), `submit ${i}`).then(() => dispatcher.submit(i)),
          );

          await s.waitFor(Promise.all(submits));
          const undelivered = await s.waitFor(dispatcher.stop({ drain: true }));

          expect(undelivered).toEqual([]);
          expect(handled).toEqual(new Array<number>(count).fill(1));
          expect(maxRunning).toBeLessThanOrEqual(maxWorkers);
          expect(dispatcher.running).toBe(0);
        },
      ),
    );
  });

  it('without drain, hands back exactly the accepted jobs no handler took, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 10 }),
        async (s, maxWorkers, maxQueue, count) => {
          const taken: number[] = [];
          const dispatcher = new Dispatcher<number>({
            maxWorkers,
            maxQueue,
            handler: async (job) => {
              taken.push(job);
              await s.schedule(Promise.resolve(), `job ${job} ends`);
            },
          });
          const accepted: number[] = [];
          const submitOrder: number[] = [];
          const submits = Array.from({ length: count }, (_, i) =>
            s
              .schedule(Promise.resolve(), `submit ${i}`)
              .then(() => {
                submitOrder.push(i);
                return dispatcher.submit(i);
              })
              .then(
                () => void accepted.push(i),
                (error: unknown) => expect(error).toBeInstanceOf(ChannelClosedError),
              ),
          );
          const stopping = s
            .schedule(Promise.resolve(), 'abort')
            .then(() => dispatcher.stop({ drain: false }));

          await s.waitFor(Promise.all(submits));
          const undelivered = await s.waitFor(stopping);

          // Each accepted job went to exactly one place.
          expect([...taken, ...undelivered].sort((a, b) => a - b)).toEqual(
            accepted.slice().sort((a, b) => a - b),
          );
          // Jobs queue in submission order, and are handed back in that order.
          expect(undelivered).toEqual(submitOrder.filter((job) => undelivered.includes(job)));
        },
      ),
    );
  });
});

describe('dispatch', () => {
  it('with a key, handles each key one value at a time in source order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 12 }),
        async (s, maxWorkers, keys) => {
          const values = keys.map((key, i) => `${key}${i}`);
          const busy = new Set<string>();
          const started: string[] = [];
          let running = 0;
          let maxRunning = 0;
          const handler = async (value: string): Promise<string> => {
            const key = value[0] as string;
            expect(busy.has(key)).toBe(false);
            busy.add(key);
            running++;
            maxRunning = Math.max(maxRunning, running);
            started.push(value);
            await s.schedule(Promise.resolve(), `${value} ends`);
            busy.delete(key);
            running--;
            return value;
          };

          const emitted = await s.waitFor(
            lastValueFrom(
              from(values).pipe(
                dispatch(handler, {
                  maxWorkers,
                  maxQueue: values.length,
                  key: (value) => value[0] as string,
                }),
                toArray(),
              ),
            ),
          );
          await flush();

          for (const key of ['a', 'b', 'c']) {
            const ofKey = values.filter((value) => value[0] === key);
            expect(started.filter((value) => value[0] === key)).toEqual(ofKey);
            expect(emitted.filter((value) => value[0] === key)).toEqual(ofKey);
          }
          expect(emitted).toHaveLength(values.length);
          expect(maxRunning).toBeLessThanOrEqual(maxWorkers);
        },
      ),
    );
  });
});
