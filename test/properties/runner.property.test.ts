// Properties of `Runner`: whatever the interleaving of task ends, the
// deadline and interrupts (aborts and SIGINTs, released in an order chosen
// by fast-check's scheduler), the run ends exactly once, with the first of
// them; no task starts after that; and nothing is left behind (timer,
// listener, pending turn, sleeping task).
import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InterruptError, Runner, TimeoutError, sleep } from '../../src/index.js';
import type { Clock, RunnerTask } from '../../src/index.js';
import { VirtualClock } from '../../src/testing.js';

/** A task: sleeps `ms` on the clock (or nothing, synchronously), then ends or fails. */
interface TaskSpec {
  ms: number | 'sync';
  fails: boolean;
}

type InterruptKind = 'abort' | 'sigint';

const taskSpec: fc.Arbitrary<TaskSpec> = fc.record({
  ms: fc.oneof(fc.constant<'sync'>('sync'), fc.integer({ min: 0, max: 20 })),
  fails: fc.oneof(
    { arbitrary: fc.constant(false), weight: 4 },
    { arbitrary: fc.constant(true), weight: 1 },
  ),
});

/** Resolves after the host's next macrotask turn, once pending promise work ran. */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The event a log line records, if it can decide how the run ends. */
function decisive(line: string, lastTask: number): boolean {
  return (
    line === 'deadline' ||
    line.startsWith('interrupt ') ||
    line.startsWith('fail ') ||
    line === `end ${lastTask}`
  );
}

describe('Runner', () => {
  it('ends exactly once, with the first of completion, failure, deadline and interrupt', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(taskSpec, { minLength: 1, maxLength: 4 }),
        fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constant(Infinity)),
        fc.array(fc.constantFrom<InterruptKind>('abort', 'sigint'), { maxLength: 3 }),
        fc.array(fc.boolean(), { maxLength: 12 }),
        fc.scheduler(),
        async (tasks, timeout, interrupts, preferInterrupt, s) => {
          const clock = new VirtualClock();
          const log: string[] = [];
          // The runner's own timers go through this clock: the deadline is the
          // one armed for `timeout` ms (turns between tasks use 0 ms).
          const runnerClock: Clock = {
            now: () => clock.now(),
            setTimeout: (callback, ms) =>
              clock.setTimeout(
                ms === timeout
                  ? () => {
                      log.push('deadline');
                      callback();
                    }
                  : callback,
                ms,
              ),
            clearTimeout: (handle) => clock.clearTimeout(handle),
          };
          const controller = new AbortController();
          const source = new EventEmitter();
          const runner = new Runner({
            timeout,
            clock: runnerClock,
            signal: controller.signal,
            interruptOnSigint: true,
            sigintSource: source,
          });
          let taskSignal: AbortSignal | undefined;
          runner.add(
            ...tasks.map((spec): RunnerTask => (id, signal) => {
              taskSignal = signal;
              log.push(`start ${id}`);
              const finish = (): void => {
                if (spec.fails) {
                  log.push(`fail ${id}`);
                  throw new Error(`task ${id} failed`);
                }
                log.push(`end ${id}`);
              };
              if (spec.ms === 'sync') return finish();
              return sleep(spec.ms, { clock, signal }).then(finish);
            }),
          );
          interrupts.forEach((kind, i) => {
            void s.schedule(Promise.resolve(), `${kind} ${i}`).then(() => {
              log.push(`interrupt ${kind} ${i}`);
              if (kind === 'abort') controller.abort(`reason ${i}`);
              else source.emit('SIGINT');
            });
          });

          let settleCount = 0;
          let outcome: { ok: true } | { ok: false; error: unknown } | undefined;
          runner.start().then(
            () => {
              settleCount++;
              outcome = { ok: true };
            },
            (error: unknown) => {
              settleCount++;
              outcome = { ok: false, error };
            },
          );
          await flush();
          for (let step = 0; outcome === undefined; step++) {
            if ((preferInterrupt[step] ?? false) && s.count() > 0) await s.waitNext(1);
            else if (clock.pending > 0) await clock.next();
            else if (s.count() > 0) await s.waitNext(1);
            else throw new Error(`the run is stuck; log: ${log.join(', ')}`);
            await flush();
          }
          const stateAtEnd = runner.state;
          const pendingAtEnd = clock.pending;
          const listenersAtEnd = source.listenerCount('SIGINT');
          // Interrupts released after the end must change nothing.
          await s.waitIdle();
          await clock.runAll();
          await flush();

          const decider = log.findIndex((line) => decisive(line, tasks.length - 1));
          const first = log[decider] as string;
          expect(settleCount).toBe(1);
          expect(runner.state).toBe(stateAtEnd);
          if (first === `end ${tasks.length - 1}`) {
            expect(outcome).toEqual({ ok: true });
            expect(runner.state).toBe('completed');
            expect(taskSignal?.aborted).toBe(false);
          } else {
            const error = (outcome as { error: unknown }).error;
            expect(taskSignal?.reason).toBe(error);
            if (first === 'deadline') {
              expect(error).toEqual(new TimeoutError(timeout));
              expect(runner.state).toBe('timed-out');
            } else if (first.startsWith('fail ')) {
              expect(error).toEqual(new Error(`task ${first.slice(5)} failed`));
              expect(runner.state).toBe('failed');
            } else {
              const [, kind, index] = first.split(' ');
              expect(error).toBeInstanceOf(InterruptError);
              expect(error).toMatchObject(
                kind === 'sigint'
                  ? { signal: 'SIGINT' }
                  : { signal: undefined, cause: `reason ${String(index)}` },
              );
              expect(runner.state).toBe('interrupted');
            }
          }
          // No task started after the decisive event, and each one started
          // only after the one before it ended.
          expect(log.slice(decider + 1).filter((line) => line.startsWith('start '))).toEqual([]);
          const starts = log.filter((line) => line.startsWith('start '));
          starts.forEach((line, id) => {
            expect(line).toBe(`start ${id}`);
            if (id > 0) expect(log.indexOf(`end ${id - 1}`)).toBeLessThan(log.indexOf(line));
          });
          // Nothing was left behind when the run ended.
          expect(listenersAtEnd).toBe(0);
          expect(pendingAtEnd).toBe(0);
        },
      ),
    );
  });
});
