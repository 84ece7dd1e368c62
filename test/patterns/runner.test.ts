import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InterruptError, Runner, TimeoutError, sleep } from '../../src/index.js';
import type { RunnerOptions, RunnerTask } from '../../src/index.js';
import { VirtualClock } from '../../src/testing.js';

/** Resolves after the host's next macrotask turn, once pending promise work ran. */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Captures how a promise settles, without leaving a rejection unhandled. */
function outcomeOf(promise: Promise<void>): { settled?: 'resolved' | 'rejected'; error?: unknown } {
  const outcome: { settled?: 'resolved' | 'rejected'; error?: unknown } = {};
  promise.then(
    () => (outcome.settled = 'resolved'),
    (error: unknown) => {
      outcome.settled = 'rejected';
      outcome.error = error;
    },
  );
  return outcome;
}

/** A task that logs its start and end, sleeping `ms` on `clock` in between. */
function sleeper(log: string[], clock: VirtualClock, ms: number): RunnerTask {
  return async (id, signal) => {
    log.push(`start ${id}`);
    await sleep(ms, { clock, signal });
    log.push(`end ${id}`);
  };
}

describe('Runner', () => {
  describe('constructor', () => {
    it.each([
      [undefined, TypeError, 'Runner(): options must be an object, got undefined'],
      [{}, TypeError, 'Runner(): timeout must be a number, got undefined'],
      [{ timeout: '5' }, TypeError, 'Runner(): timeout must be a number, got "5"'],
      [{ timeout: 0 }, RangeError, 'Runner(): timeout must be a positive number, got 0'],
      [{ timeout: -1 }, RangeError, 'Runner(): timeout must be a positive number, got -1'],
      [{ timeout: NaN }, RangeError, 'Runner(): timeout must be a positive number, got NaN'],
      [
        { timeout: 5, clock: {} },
        TypeError,
        'Runner(): clock must have now, setTimeout and clearTimeout methods, got an object',
      ],
      [
        { timeout: 5, signal: 'stop' },
        TypeError,
        'Runner(): signal must be an AbortSignal, got "stop"',
      ],
      [
        { timeout: 5, interruptOnSigint: 1 },
        TypeError,
        'Runner(): interruptOnSigint must be a boolean, got 1',
      ],
      [
        { timeout: 5, interruptOnSigint: true, sigintSource: { on() {} } },
        TypeError,
        'Runner(): sigintSource must have on and removeListener methods, got an object',
      ],
      [
        { timeout: 5, sigintSource: new EventEmitter() },
        TypeError,
        'Runner(): sigintSource needs interruptOnSigint: true, got undefined',
      ],
    ])('rejects the options %o', (options, type, message) => {
      const make = (): Runner => new Runner(options as unknown as RunnerOptions);

      expect(make).toThrow(type);
      expect(make).toThrow(message);
    });

    it('accepts an infinite timeout and arms no deadline', async () => {
      const clock = new VirtualClock();
      const runner = new Runner({ timeout: Infinity, clock });
      runner.add(() => {});

      await runner.start();

      expect(runner.state).toBe('completed');
      expect(clock.pending).toBe(0);
    });
  });

  describe('add', () => {
    it('rejects a task that is not a function, naming its index, and adds none', async () => {
      const runner = new Runner({ timeout: 1000 });
      const ran: number[] = [];

      expect(() => runner.add((id) => ran.push(id), 42 as unknown as RunnerTask)).toThrow(
        new TypeError('Runner.add(): tasks[1] must be a function, got 42'),
      );
      await runner.start();

      expect(ran).toEqual([]);
    });

    it('throws once the runner has started', async () => {
      const runner = new Runner({ timeout: 1000 });
      const run = runner.start();

      expect(() => runner.add(() => {})).toThrow(
        'Runner.add(): tasks can be added only before start, the runner is running',
      );
      await run;
    });
  });

  describe('start', () => {
    describe('when every task finishes before the deadline', () => {
      it('runs the tasks one at a time, in the order added, with their ids', async () => {
        const clock = new VirtualClock();
        const log: string[] = [];
        const runner = new Runner({ timeout: 100, clock });
        runner.add(sleeper(log, clock, 20), sleeper(log, clock, 5));
        runner.add(sleeper(log, clock, 10));

        const outcome = outcomeOf(runner.start());
        await clock.runAll();

        expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
        expect(outcome).toEqual({ settled: 'resolved' });
        expect(runner.state).toBe('completed');
        expect(clock.now()).toBe(35);
      });

      it('runs no task before start() returns', async () => {
        const log: string[] = [];
        const runner = new Runner({ timeout: 1000 });
        runner.add(() => log.push('task 0'));

        const run = runner.start();
        log.push('start() returned');
        await run;

        expect(log).toEqual(['start() returned', 'task 0']);
      });

      it('resolves with no tasks at all', async () => {
        const runner = new Runner({ timeout: 1000 });

        await runner.start();

        expect(runner.state).toBe('completed');
      });

      it('hands every task the same signal and never aborts it', async () => {
        const signals: AbortSignal[] = [];
        const runner = new Runner({ timeout: 1000 });
        runner.add(
          (_id, signal) => signals.push(signal),
          (_id, signal) => signals.push(signal),
        );

        await runner.start();

        expect(signals[0]).toBe(signals[1]);
        expect(signals[0]?.aborted).toBe(false);
      });

      it('clears the deadline timer', async () => {
        const clock = new VirtualClock();
        const runner = new Runner({ timeout: 100, clock });
        runner.add(sleeper([], clock, 10));

        const outcome = outcomeOf(runner.start());
        await clock.advance(10);

        expect(outcome.settled).toBe('resolved');
        expect(clock.pending).toBe(0);
      });

      it('starts the next task on a later turn of its clock', async () => {
        const clock = new VirtualClock();
        const log: string[] = [];
        const runner = new Runner({ timeout: 100, clock });
        runner.add(
          () => log.push('task 0'),
          () => log.push('task 1'),
        );

        const outcome = outcomeOf(runner.start());
        await flush();
        log.push('before the clock moves');
        await clock.advance(0);

        expect(log).toEqual(['task 0', 'before the clock moves', 'task 1']);
        expect(outcome.settled).toBe('resolved');
      });
    });

    describe('when the deadline passes first', () => {
      it('rejects with TimeoutError at the deadline and starts no further task', async () => {
        const clock = new VirtualClock();
        const log: string[] = [];
        const runner = new Runner({ timeout: 30, clock });
        runner.add(sleeper(log, clock, 20), sleeper(log, clock, 20), sleeper(log, clock, 20));

        const outcome = outcomeOf(runner.start());
        await clock.advance(29);
        log.push('29 ms');
        await clock.advance(1);

        expect(log).toEqual(['start 0', 'end 0', 'start 1', '29 ms']);
        expect(outcome.error).toBeInstanceOf(TimeoutError);
        expect((outcome.error as TimeoutError).ms).toBe(30);
        expect(runner.state).toBe('timed-out');
      });

      it('aborts the running task at once, with the TimeoutError as the reason', async () => {
        const clock = new VirtualClock();
        let taskSignal: AbortSignal | undefined;
        const runner = new Runner({ timeout: 30, clock });
        runner.add((_id, signal) => {
          taskSignal = signal;
          return sleep(1000, { clock, signal });
        });

        const outcome = outcomeOf(runner.start());
        await clock.advance(30);

        expect(taskSignal?.aborted).toBe(true);
        expect(taskSignal?.reason).toBe(outcome.error);
        expect(clock.pending).toBe(0);
      });

      it('wins over a task that ends at the same instant', async () => {
        const clock = new VirtualClock();
        const log: string[] = [];
        const runner = new Runner({ timeout: 30, clock });
        runner.add(sleeper(log, clock, 30));

        const outcome = outcomeOf(runner.start());
        await clock.advance(30);

        expect(log).toEqual(['start 0']);
        expect(outcome.error).toBeInstanceOf(TimeoutError);
      });

      it('ignores a task that settles afterwards, even by failing', async () => {
        const clock = new VirtualClock();
        let failLate: (error: Error) => void = () => {};
        const runner = new Runner({ timeout: 10, clock });
        runner.add(
          () =>
            new Promise<void>((_resolve, reject) => {
              failLate = reject;
            }),
        );

        const outcome = outcomeOf(runner.start());
        await clock.advance(10);
        failLate(new Error('too late'));
        await flush();

        expect(outcome.error).toBeInstanceOf(TimeoutError);
        expect(runner.state).toBe('timed-out');
      });
    });

    describe('when its signal aborts', () => {
      it('rejects with an InterruptError whose cause is the abort reason', async () => {
        const clock = new VirtualClock();
        const controller = new AbortController();
        const log: string[] = [];
        const runner = new Runner({ timeout: 100, clock, signal: controller.signal });
        runner.add(sleeper(log, clock, 20), sleeper(log, clock, 20));

        const outcome = outcomeOf(runner.start());
        await clock.advance(10);
        controller.abort('stop now');
        await clock.runAll();

        expect(log).toEqual(['start 0']);
        expect(outcome.error).toBeInstanceOf(InterruptError);
        expect(outcome.error).toMatchObject({ signal: undefined, cause: 'stop now' });
        expect(runner.state).toBe('interrupted');
        expect(clock.pending).toBe(0);
      });

      it('aborts the running task with the InterruptError', async () => {
        const controller = new AbortController();
        let taskSignal: AbortSignal | undefined;
        const runner = new Runner({ timeout: 1000, signal: controller.signal });
        runner.add((_id, signal) => {
          taskSignal = signal;
          controller.abort();
          return sleep(60_000, { signal });
        });

        const error: unknown = await runner.start().catch((e: unknown) => e);

        expect(error).toBeInstanceOf(InterruptError);
        expect(taskSignal?.reason).toBe(error);
      });

      it('rejects at once, running no task, if the signal was already aborted', async () => {
        const clock = new VirtualClock();
        const ran: number[] = [];
        const runner = new Runner({ timeout: 100, clock, signal: AbortSignal.abort('early') });
        runner.add((id) => ran.push(id));

        const error: unknown = await runner.start().catch((e: unknown) => e);
        await flush();

        expect(error).toMatchObject({ name: 'InterruptError', cause: 'early' });
        expect(ran).toEqual([]);
        expect(clock.pending).toBe(0);
      });

      it('removes its abort listener when the run ends', async () => {
        const controller = new AbortController();
        const runner = new Runner({ timeout: 1000, signal: controller.signal });
        runner.add(() => {});

        await runner.start();
        controller.abort();

        expect(runner.state).toBe('completed');
      });
    });

    describe('when SIGINT arrives', () => {
      it('rejects with an InterruptError naming SIGINT', async () => {
        const clock = new VirtualClock();
        const source = new EventEmitter();
        const log: string[] = [];
        const runner = new Runner({
          timeout: 100,
          clock,
          interruptOnSigint: true,
          sigintSource: source,
        });
        runner.add(sleeper(log, clock, 20), sleeper(log, clock, 20));

        const outcome = outcomeOf(runner.start());
        await clock.advance(10);
        source.emit('SIGINT');
        await flush();

        expect(log).toEqual(['start 0']);
        expect(outcome.error).toBeInstanceOf(InterruptError);
        expect(outcome.error).toMatchObject({ signal: 'SIGINT', message: 'interrupted by SIGINT' });
        expect(runner.state).toBe('interrupted');
      });

      it('listens only while running, whatever ends the run', async () => {
        const endings: Record<string, (source: EventEmitter, clock: VirtualClock) => RunnerTask> = {
          completed: () => () => {},
          failed: () => () => {
            throw new Error('boom');
          },
          'timed-out': (_source, clock) => (_id, signal) => sleep(1000, { clock, signal }),
          interrupted: (source) => () => {
            source.emit('SIGINT');
          },
        };
        const counts: Record<string, number[]> = {};

        for (const [state, makeTask] of Object.entries(endings)) {
          const clock = new VirtualClock();
          const source = new EventEmitter();
          const runner = new Runner({
            timeout: 50,
            clock,
            interruptOnSigint: true,
            sigintSource: source,
          });
          runner.add(makeTask(source, clock));
          const before = source.listenerCount('SIGINT');
          const outcome = outcomeOf(runner.start());
          const during = source.listenerCount('SIGINT');
          await clock.runAll();
          await flush();
          counts[state] = [before, during, source.listenerCount('SIGINT')];
          expect({ state, settled: outcome.settled !== undefined }).toEqual({
            state: runner.state,
            settled: true,
          });
        }

        expect(counts).toEqual({
          completed: [0, 1, 0],
          failed: [0, 1, 0],
          'timed-out': [0, 1, 0],
          interrupted: [0, 1, 0],
        });
      });

      it('lets the first interrupt win and ignores the ones after it', async () => {
        const source = new EventEmitter();
        const controller = new AbortController();
        const runner = new Runner({
          timeout: 1000,
          signal: controller.signal,
          interruptOnSigint: true,
          sigintSource: source,
        });
        runner.add((_id, signal) => {
          source.emit('SIGINT');
          source.emit('SIGINT');
          controller.abort('second');
          return sleep(60_000, { signal });
        });

        const error: unknown = await runner.start().catch((e: unknown) => e);

        expect(error).toMatchObject({ name: 'InterruptError', signal: 'SIGINT' });
        expect(runner.state).toBe('interrupted');
      });

      it('does not listen unless interruptOnSigint is set', async () => {
        const before = process.listenerCount('SIGINT');
        const runner = new Runner({ timeout: 1000 });
        let during = -1;
        runner.add(() => {
          during = process.listenerCount('SIGINT');
        });

        await runner.start();

        expect(during).toBe(before);
      });

      it('listens on process by default and stops listening afterwards', async () => {
        const before = process.listenerCount('SIGINT');
        const runner = new Runner({ timeout: 1000, interruptOnSigint: true });
        let during = -1;
        runner.add(() => {
          during = process.listenerCount('SIGINT');
        });

        await runner.start();

        expect(during).toBe(before + 1);
        expect(process.listenerCount('SIGINT')).toBe(before);
      });
    });

    describe('when a task fails', () => {
      it.each([
        [
          'throws',
          () => {
            throw new Error('broken task');
          },
        ],
        ['rejects', () => Promise.reject(new Error('broken task'))],
      ])('rejects with the error of a task that %s and runs no later task', async (_how, task) => {
        const ran: number[] = [];
        let taskSignal: AbortSignal | undefined;
        const runner = new Runner({ timeout: 1000 });
        runner.add(
          (id, signal) => {
            ran.push(id);
            taskSignal = signal;
          },
          task,
          (id) => ran.push(id),
        );

        const error: unknown = await runner.start().catch((e: unknown) => e);

        expect(error).toEqual(new Error('broken task'));
        expect(ran).toEqual([0]);
        expect(runner.state).toBe('failed');
        expect(taskSignal?.reason).toBe(error);
      });
    });

    describe('when called again', () => {
      it('rejects, leaving the first run alone', async () => {
        const runner = new Runner({ timeout: 1000 });
        runner.add(() => {});
        const first = runner.start();

        const second: unknown = await runner.start().catch((e: unknown) => e);
        await first;

        expect(second).toEqual(
          new Error('Runner.start(): a runner starts only once, it is running'),
        );
        expect(runner.state).toBe('completed');
      });
    });

    describe('when a real SIGINT reaches the process (child process)', () => {
      const root = join(import.meta.dirname, '..', '..');
      const entry = pathToFileURL(join(root, 'src', 'index.ts')).href;

      /** Runs `body` as an ES module under tsx in a child Node process. */
      function runChild(
        body: string,
      ): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
        const script = `const { Runner, sleep } = await import(${JSON.stringify(entry)});\n${body}`;
        return new Promise((resolve, reject) => {
          const child = spawn(
            process.execPath,
            ['--import', 'tsx', '--input-type=module', '-e', script],
            { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 },
          );
          let stdout = '';
          let stderr = '';
          child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
          child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
          child.on('error', reject);
          child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
        });
      }

      const report = `
        try {
          await runner.start();
          seen.push('completed');
        } catch (error) {
          seen.push(error.name + ' ' + error.signal);
        }
        seen.push('listeners after: ' + process.listenerCount('SIGINT'));
        console.log(JSON.stringify(seen));
      `;

      it('interrupts a sleeping task at once and removes the handler', async () => {
        const child = await runChild(`
          const seen = [];
          const runner = new Runner({ timeout: 60_000, interruptOnSigint: true });
          runner.add(async (id, signal) => {
            seen.push('listeners during: ' + process.listenerCount('SIGINT'));
            process.kill(process.pid, 'SIGINT');
            await sleep(60_000, { signal });
            seen.push('task 0 ended');
          });
          ${report}
        `);

        expect(
          { code: child.code, signal: child.signal, stdout: child.stdout },
          child.stderr,
        ).toEqual({
          code: 0,
          signal: null,
          stdout: `${JSON.stringify(['listeners during: 1', 'InterruptError SIGINT', 'listeners after: 0'])}\n`,
        });
      }, 30_000);

      it('sees a SIGINT sent by a synchronous task before the next task starts', async () => {
        const child = await runChild(`
          const seen = [];
          const runner = new Runner({ timeout: 60_000, interruptOnSigint: true });
          runner.add(
            () => {
              process.kill(process.pid, 'SIGINT');
              seen.push('task 0 ended');
            },
            () => {
              seen.push('task 1 ran');
            },
          );
          ${report}
        `);

        expect(
          { code: child.code, signal: child.signal, stdout: child.stdout },
          child.stderr,
        ).toEqual({
          code: 0,
          signal: null,
          stdout: `${JSON.stringify(['task 0 ended', 'InterruptError SIGINT', 'listeners after: 0'])}\n`,
        });
      }, 30_000);
    });
  });

  describe('state', () => {
    it('reads idle before start and running while the tasks run', async () => {
      const states: string[] = [];
      const runner = new Runner({ timeout: 1000 });
      runner.add(() => {
        states.push(runner.state);
      });
      states.push(runner.state);

      await runner.start();
      states.push(runner.state);

      expect(states).toEqual(['idle', 'running', 'completed']);
    });
  });
});
