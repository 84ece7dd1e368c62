// Properties of the concurrency limiter: admission never exceeds the limit,
// the adaptive limit stays in its bounds and moves only for the reasons its
// contract gives, aborted waiters leave nothing behind, and the RxJS
// operator accounts for every value exactly once.
import fc from 'fast-check';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ConcurrencyLimiter,
  TimeoutError,
  type AdaptiveLimitOptions,
  type ConcurrencyLimitOptions,
} from '../../src/index.js';
import { withConcurrencyLimit, type BoundedOverflowPolicy } from '../../src/rxjs.js';
import { VirtualClock } from '../../src/testing.js';
import { flush } from './invariants.js';

// ─── Limiter runs on virtual time ───────────────────────────────────────────

/** How a simulated task ends. */
type Ending = 'ok' | 'overload' | 'error';

/** One step of a limiter run. */
type LimiterOp =
  | { kind: 'submit'; latency: number; ending: Ending; abortable: boolean }
  | { kind: 'advance'; ms: number }
  | { kind: 'abort'; pick: number };

const limiterOp = (targetLatency: number): fc.Arbitrary<LimiterOp> =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('submit' as const),
        // Latencies straddle the target, so both directions happen.
        latency: fc.integer({ min: 0, max: 2 * targetLatency }),
        ending: fc.constantFrom<Ending>('ok', 'ok', 'ok', 'ok', 'overload', 'error'),
        abortable: fc.boolean(),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('advance' as const),
        ms: fc.integer({ min: 0, max: 2 * targetLatency }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('abort' as const), pick: fc.nat() }) },
  );

const adaptiveSettings: fc.Arbitrary<AdaptiveLimitOptions> = fc
  .record({
    min: fc.integer({ min: 1, max: 3 }),
    span: fc.integer({ min: 0, max: 5 }),
    offset: fc.nat(),
    targetLatency: fc.integer({ min: 5, max: 50 }),
    increase: fc.integer({ min: 1, max: 3 }),
    decrease: fc.constantFrom(0.25, 0.5, 0.7, 0.9),
    window: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  })
  .map(({ min, span, offset, ...rest }) => ({
    min,
    max: min + span,
    initial: min + (offset % (span + 1)),
    ...rest,
  }));

/** A limiter run: its options and steps. */
const limiterRun = fc.oneof(
  fc.integer({ min: 1, max: 4 }).chain((limit) =>
    fc.record({
      options: fc.constant<ConcurrencyLimitOptions>({ limit }),
      targetLatency: fc.constant(20),
      ops: fc.array(limiterOp(20), { maxLength: 40 }),
    }),
  ),
  adaptiveSettings.chain((adaptive) =>
    fc.record({
      options: fc.constant<ConcurrencyLimitOptions>({ adaptive }),
      targetLatency: fc.constant(adaptive.targetLatency),
      ops: fc.array(limiterOp(adaptive.targetLatency), { maxLength: 40 }),
    }),
  ),
);

/** What one task saw when it started and ended. */
interface Completion {
  /** Decisions logged when the task started: its epoch. */
  epoch: number;
  /** `running` and `limit` right after admission. */
  runningAtStart: number;
  limitAtStart: number;
  latency: number;
  ending: Ending;
  /** The decisions this completion made (0 or 1). */
  decided: number;
  /** The limit before this completion's sample. */
  limitBefore: number;
}

/** What a limiter run recorded. */
interface Trace {
  admissions: Array<{ running: number; limit: number }>;
  limits: number[];
  waitingChecks: Array<{ expected: number; actual: number }>;
  completions: Completion[];
  finalRunning: number;
  finalWaiting: number;
}

/** Runs `ops` on a limiter with a virtual clock and records what happened. */
async function simulate(options: ConcurrencyLimitOptions, ops: LimiterOp[]): Promise<Trace> {
  const clock = new VirtualClock();
  const limiter = new ConcurrencyLimiter({ ...options, clock });
  const trace: Trace = {
    admissions: [],
    limits: [limiter.limit],
    waitingChecks: [],
    completions: [],
    finalRunning: -1,
    finalWaiting: -1,
  };
  // One entry per submitted run: whether its task started, whether it was aborted.
  const runs: Array<{ started: boolean; aborted: boolean; controller?: AbortController }> = [];
  const settled: Promise<unknown>[] = [];
  let decisionsSeen = 0;
  // Decisions beyond the log size would hide from `length`; runs stay far below it.
  const logged = (): number => limiter.decisions.length;

  const submit = (op: Extract<LimiterOp, { kind: 'submit' }>): void => {
    const entry: (typeof runs)[number] = { started: false, aborted: false };
    if (op.abortable) entry.controller = new AbortController();
    runs.push(entry);
    let completion: Completion | undefined;
    const run = limiter.run(
      async () => {
        entry.started = true;
        trace.admissions.push({ running: limiter.running, limit: limiter.limit });
        const startedAt = clock.now();
        const epoch = logged();
        const runningAtStart = limiter.running;
        const limitAtStart = limiter.limit;
        await new Promise<void>((resolve) => clock.setTimeout(resolve, op.latency));
        completion = {
          epoch,
          runningAtStart,
          limitAtStart,
          latency: clock.now() - startedAt,
          ending: op.ending,
          decided: 0,
          limitBefore: limiter.limit,
        };
        if (op.ending === 'overload') throw new TimeoutError(op.latency);
        if (op.ending === 'error') throw new Error('not an overload');
      },
      { signal: entry.controller?.signal },
    );
    // The limiter has taken this completion's sample by the time this runs,
    // and no other completion can come in between: the virtual clock lets
    // each callback's work settle before firing the next.
    const observe = (): void => {
      if (completion === undefined) return;
      completion.decided = logged() - decisionsSeen;
      decisionsSeen = logged();
      trace.completions.push(completion);
    };
    settled.push(run.then(observe, observe));
  };

  const checkWaiting = (): void => {
    const expected = runs.filter((r) => !r.started && !r.aborted).length;
    trace.waitingChecks.push({ expected, actual: limiter.waiting });
  };

  for (const op of ops) {
    if (op.kind === 'submit') {
      submit(op);
    } else if (op.kind === 'advance') {
      await clock.advance(op.ms);
    } else {
      const abortable = runs.filter((r) => r.controller !== undefined && !r.aborted);
      const target = abortable[op.pick % Math.max(1, abortable.length)];
      if (target !== undefined) {
        target.aborted = !target.started;
        target.controller?.abort();
      }
    }
    trace.limits.push(limiter.limit);
    checkWaiting();
  }
  await clock.runAll();
  await Promise.all(settled);
  await flush();
  trace.finalRunning = limiter.running;
  trace.finalWaiting = limiter.waiting;
  return trace;
}

describe('ConcurrencyLimiter on virtual time', () => {
  it('admits a task only while running stays within the current limit', async () => {
    await fc.assert(
      fc.asyncProperty(limiterRun, async ({ options, ops }) => {
        const trace = await simulate(options, ops);

        for (const { running, limit } of trace.admissions) {
          expect(running).toBeLessThanOrEqual(limit);
        }
        expect(trace.finalRunning).toBe(0);
      }),
    );
  });

  it('keeps an adaptive limit within [min, max] under any latency sequence', async () => {
    await fc.assert(
      fc.asyncProperty(
        adaptiveSettings.chain((adaptive) =>
          fc.record({
            adaptive: fc.constant(adaptive),
            ops: fc.array(limiterOp(adaptive.targetLatency), { maxLength: 40 }),
          }),
        ),
        async ({ adaptive, ops }) => {
          const trace = await simulate({ adaptive }, ops);

          for (const limit of trace.limits) {
            expect(limit).toBeGreaterThanOrEqual(adaptive.min);
            expect(limit).toBeLessThanOrEqual(adaptive.max);
          }
        },
      ),
    );
  });

  it('decreases only after a slow or overloaded task and increases only after a healthy round', async () => {
    await fc.assert(
      fc.asyncProperty(
        adaptiveSettings.chain((adaptive) =>
          fc.record({
            adaptive: fc.constant(adaptive),
            ops: fc.array(limiterOp(adaptive.targetLatency), { maxLength: 40 }),
          }),
        ),
        async ({ adaptive, ops }) => {
          const trace = await simulate({ adaptive }, ops);
          const { targetLatency, min } = adaptive;
          let decisions = 0;
          // Healthy samples of the current epoch since the last decision.
          let healthy = 0;

          for (const c of trace.completions) {
            expect(c.decided).toBeLessThanOrEqual(1);
            const isCurrent = c.epoch === decisions;
            const isBad =
              c.ending === 'overload' || (c.ending === 'ok' && c.latency > targetLatency);
            const isHealthy =
              c.ending === 'ok' &&
              c.latency <= targetLatency &&
              c.runningAtStart * 2 >= c.limitAtStart;
            if (isCurrent && isHealthy) healthy++;
            if (c.decided === 1) {
              const last = decisions;
              decisions++;
              expect(isCurrent, `decision ${last} came from a task of an older epoch`).toBe(true);
              if (isBad) {
                // A decrease: the round starts over.
                healthy = 0;
              } else {
                const window = adaptive.window ?? c.limitBefore;
                expect(isHealthy).toBe(true);
                expect(healthy).toBeGreaterThanOrEqual(window);
                healthy = 0;
              }
            } else if (isCurrent && isBad) {
              // Liveness: a slow sample of the current epoch always
              // decreases, unless the limit is at min already.
              expect(c.limitBefore).toBe(min);
            }
          }
        },
      ),
    );
  });

  it('leaves no waiter behind an aborted run', async () => {
    await fc.assert(
      fc.asyncProperty(limiterRun, async ({ options, ops }) => {
        const trace = await simulate(options, ops);

        for (const { expected, actual } of trace.waitingChecks) expect(actual).toBe(expected);
        expect(trace.finalWaiting).toBe(0);
      }),
    );
  });
});

// ─── The operator ───────────────────────────────────────────────────────────

/** One step of an operator run. */
type OperatorOp =
  | { kind: 'push' }
  | { kind: 'resolve'; pick: number }
  | { kind: 'fail'; pick: number }
  | { kind: 'unsubscribe' };

const operatorOp: fc.Arbitrary<OperatorOp> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'push' as const }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('resolve' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fail' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'unsubscribe' as const }) },
);

describe('withConcurrencyLimit', () => {
  it('emits, drops or aborts every source value exactly once and leaves the limiter idle', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom<BoundedOverflowPolicy>('error', 'drop-newest', 'drop-oldest'),
        fc.array(operatorOp, { maxLength: 40 }),
        async (limit, capacity, overflow, ops) => {
          const limiter = new ConcurrencyLimiter({ limit });
          const source = new Subject<number>();
          const emitted: number[] = [];
          const dropped: number[] = [];
          const called: number[] = [];
          const pending: Array<{
            value: number;
            resolve: (n: number) => void;
            reject: (e: unknown) => void;
          }> = [];
          let peak = 0;
          const subscription = source
            .pipe(
              withConcurrencyLimit(
                limiter,
                (value: number) => {
                  called.push(value);
                  peak = Math.max(peak, limiter.running);
                  return new Promise<number>((resolve, reject) =>
                    pending.push({ value, resolve, reject }),
                  );
                },
                { capacity, overflow, onDrop: (n) => dropped.push(n) },
              ),
            )
            .subscribe({ next: (n) => emitted.push(n), error: () => undefined });
          let pushed = 0;

          for (const op of ops) {
            if (op.kind === 'push') {
              if (source.observed) source.next(pushed++);
            } else if (op.kind === 'unsubscribe') {
              subscription.unsubscribe();
            } else if (pending.length > 0) {
              const [call] = pending.splice(op.pick % pending.length, 1);
              if (op.kind === 'resolve') call?.resolve(call.value);
              else call?.reject(new Error(`failed ${call.value}`));
            }
            await flush();
          }
          subscription.unsubscribe();
          for (const call of pending.splice(0)) call.resolve(call.value);
          await flush();

          const calledNotEmitted = called.filter((v) => !emitted.includes(v));
          const accounted = [...emitted, ...dropped, ...calledNotEmitted].sort((a, b) => a - b);
          expect(accounted).toEqual(Array.from({ length: pushed }, (_, i) => i));
          expect(dropped.filter((v) => called.includes(v))).toEqual([]);
          expect(peak).toBeLessThanOrEqual(limit);
          expect([limiter.running, limiter.waiting]).toEqual([0, 0]);
        },
      ),
    );
  });
});
