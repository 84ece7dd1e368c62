// Properties of the `workerPool` operator and its channel-fed form, under
// random schedules of source pushes, work completions, work failures and
// unsubscribes. Every value is a fresh integer pushed in increasing order
// and work returns its input, so order and exactly-once are read straight
// off the emitted values. A value is "held" from its push until it is
// emitted or handed to `onDrop`: buffered, being worked on, or a result
// waiting for its turn.
import fc from 'fast-check';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { chan } from '../../src/index.js';
import { workerPool, workerPoolFrom, type BoundedOverflowPolicy } from '../../src/rxjs.js';
import { flush } from './invariants.js';

// ─── Scenarios ──────────────────────────────────────────────────────────────

type Action =
  | { kind: 'push' }
  | { kind: 'finish'; pick: number }
  | { kind: 'fail'; pick: number }
  | { kind: 'flush' }
  | { kind: 'unsubscribe' };

interface Scenario {
  concurrency: number;
  capacity: number;
  ordered: boolean;
  overflow: BoundedOverflowPolicy;
  actions: Action[];
}

const action = (withFailures: boolean, withUnsubscribe: boolean): fc.Arbitrary<Action> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant<Action>({ kind: 'push' }) },
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('finish' as const), pick: fc.nat() }) },
    { weight: 3, arbitrary: fc.constant<Action>({ kind: 'flush' }) },
    {
      weight: withFailures ? 1 : 0,
      arbitrary: fc.record({ kind: fc.constant('fail' as const), pick: fc.nat() }),
    },
    { weight: withUnsubscribe ? 1 : 0, arbitrary: fc.constant<Action>({ kind: 'unsubscribe' }) },
  );

const scenario = (
  options: { withFailures?: boolean; withUnsubscribe?: boolean } = {},
): fc.Arbitrary<Scenario> =>
  fc.record({
    concurrency: fc.integer({ min: 1, max: 4 }),
    capacity: fc.integer({ min: 1, max: 4 }),
    ordered: fc.boolean(),
    overflow: fc.constantFrom<BoundedOverflowPolicy>('error', 'drop-oldest', 'drop-newest'),
    actions: fc.array(action(options.withFailures === true, options.withUnsubscribe === true), {
      maxLength: 40,
    }),
  });

/** A call of the work function, settled by the scenario. */
interface Call {
  value: number;
  signal: AbortSignal;
  resolve: (value: number) => void;
  reject: (error: unknown) => void;
}

/** What one run of a scenario saw. */
interface Outcome {
  pushed: number[];
  emitted: number[];
  dropped: number[];
  /** Most values held at once. */
  maxHeld: number;
  /** Most work calls running at once. */
  maxRunning: number;
  error: unknown;
  isComplete: boolean;
  /** Set by an unsubscribe action: work calls started before and after it. */
  unsubscribed?: { startedBefore: number; startedAfter: number; allAborted: boolean };
}

/** Runs `s` against a real `workerPool`, then drains it: completes the source and finishes all work. */
async function run(s: Scenario): Promise<Outcome> {
  const source = new Subject<number>();
  const pending: Call[] = [];
  let started = 0;
  let running = 0;
  const outcome: Outcome = {
    pushed: [],
    emitted: [],
    dropped: [],
    maxHeld: 0,
    maxRunning: 0,
    error: undefined,
    isComplete: false,
  };
  const held = (): number =>
    outcome.pushed.length - outcome.dropped.length - outcome.emitted.length;

  const work = (value: number, signal: AbortSignal): Promise<number> => {
    started++;
    running++;
    outcome.maxRunning = Math.max(outcome.maxRunning, running);
    return new Promise<number>((resolve, reject) => {
      pending.push({ value, signal, resolve, reject });
    }).finally(() => running--);
  };
  const subscription = source
    .pipe(
      workerPool(work, {
        concurrency: s.concurrency,
        capacity: s.capacity,
        ordered: s.ordered,
        overflow: s.overflow,
        onDrop: (value) => outcome.dropped.push(value),
      }),
    )
    .subscribe({
      next: (value) => outcome.emitted.push(value),
      error: (error: unknown) => (outcome.error = error),
      complete: () => (outcome.isComplete = true),
    });
  const take = (pick: number): Call | undefined =>
    pending.length === 0 ? undefined : pending.splice(pick % pending.length, 1)[0];

  for (const step of s.actions) {
    if (step.kind === 'push') {
      if (!source.observed) continue;
      outcome.pushed.push(outcome.pushed.length);
      source.next(outcome.pushed.length - 1);
      outcome.maxHeld = Math.max(outcome.maxHeld, held());
    } else if (step.kind === 'finish') {
      const call = take(step.pick);
      call?.resolve(call.value);
    } else if (step.kind === 'fail') {
      take(step.pick)?.reject(new Error(`work failed`));
    } else if (step.kind === 'flush') {
      await flush();
    } else if (outcome.unsubscribed === undefined) {
      subscription.unsubscribe();
      outcome.unsubscribed = {
        startedBefore: started,
        startedAfter: started,
        allAborted: pending.every((call) => call.signal.aborted),
      };
    }
  }

  // Drain: complete the source and let every piece of work finish.
  source.complete();
  await flush();
  while (pending.length > 0) {
    for (const call of pending.splice(0)) call.resolve(call.value);
    await flush();
  }
  if (outcome.unsubscribed !== undefined) outcome.unsubscribed.startedAfter = started;
  return outcome;
}

function isIncreasing(values: number[]): boolean {
  return values.every((value, i) => i === 0 || (values[i - 1] as number) < value);
}

// ─── workerPool ─────────────────────────────────────────────────────────────

describe('workerPool', () => {
  it('never holds more than capacity + concurrency values, nor runs more than concurrency', async () => {
    await fc.assert(
      fc.asyncProperty(scenario({ withFailures: true, withUnsubscribe: true }), async (s) => {
        const outcome = await run(s);

        expect(outcome.maxHeld).toBeLessThanOrEqual(s.capacity + s.concurrency);
        expect(outcome.maxRunning).toBeLessThanOrEqual(s.concurrency);
      }),
    );
  });

  it('with ordered: true, emits results in source order', async () => {
    await fc.assert(
      fc.asyncProperty(
        scenario({ withFailures: true, withUnsubscribe: true }).map((s) => ({
          ...s,
          ordered: true,
        })),
        async (s) => {
          const outcome = await run(s);

          expect(isIncreasing(outcome.emitted)).toBe(true);
        },
      ),
    );
  });

  it('emits one result for every value it did not drop, or errors', async () => {
    await fc.assert(
      fc.asyncProperty(scenario({ withFailures: true }), async (s) => {
        const outcome = await run(s);
        const accounted = [...outcome.emitted, ...outcome.dropped].sort((a, b) => a - b);

        // Nothing is ever emitted twice, or both emitted and dropped.
        expect(new Set(accounted).size).toBe(accounted.length);
        if (outcome.error === undefined) {
          expect(outcome.isComplete).toBe(true);
          expect(accounted).toEqual(outcome.pushed);
        } else {
          expect(outcome.isComplete).toBe(false);
          expect(accounted.every((value) => value < outcome.pushed.length)).toBe(true);
        }
      }),
    );
  });

  it('leaves no work running after unsubscribe: every signal aborts, nothing new starts', async () => {
    await fc.assert(
      fc.asyncProperty(
        scenario({ withUnsubscribe: true }).map((s) => ({
          ...s,
          actions: [...s.actions, { kind: 'unsubscribe' } as Action],
        })),
        async (s) => {
          const outcome = await run(s);
          const unsubscribed = outcome.unsubscribed as NonNullable<Outcome['unsubscribed']>;

          expect(unsubscribed.allAborted).toBe(true);
          expect(unsubscribed.startedAfter).toBe(unsubscribed.startedBefore);
          expect(outcome.isComplete).toBe(false);
        },
      ),
    );
  });
});

// ─── workerPoolFrom ─────────────────────────────────────────────────────────

describe('workerPoolFrom', () => {
  it('takes at most concurrency values from the channel ahead of the results, losing none', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 30 }),
        async (concurrency, channelCapacity, ordered, picks) => {
          const jobs = chan<number>(channelCapacity);
          const pending: Array<{ value: number; resolve: (v: number) => void }> = [];
          let taken = 0;
          let maxAhead = 0;
          const emitted: number[] = [];
          let isComplete = false;
          workerPoolFrom(
            jobs,
            (value: number) => {
              taken++;
              return new Promise<number>((resolve) => pending.push({ value, resolve }));
            },
            { concurrency, ordered },
          ).subscribe({ next: (v) => emitted.push(v), complete: () => (isComplete = true) });
          const producer = (async () => {
            for (let n = 0; n < picks.length; n++) await jobs.send(n);
            jobs.close();
          })();

          for (const pick of picks) {
            await flush();
            maxAhead = Math.max(maxAhead, taken - emitted.length);
            const call = pending.splice(pick % Math.max(pending.length, 1), 1)[0];
            call?.resolve(call.value);
          }
          while (!isComplete) {
            await flush();
            maxAhead = Math.max(maxAhead, taken - emitted.length);
            for (const call of pending.splice(0)) call.resolve(call.value);
          }
          await producer;

          expect(maxAhead).toBeLessThanOrEqual(concurrency);
          expect([...emitted].sort((a, b) => a - b)).toEqual(picks.map((_, n) => n));
          if (ordered) expect(isIncreasing(emitted)).toBe(true);
        },
      ),
    );
  });
});
