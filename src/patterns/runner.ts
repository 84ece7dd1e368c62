/**
 * Runner: run a list of tasks one after another under one deadline, and stop
 * early on an interrupt. Go's tutorial builds it from a timeout channel, an
 * interrupt channel and a completion channel raced in a select; here the
 * three sources call one `finish` that only the first can pass.
 *
 *     idle ──start()──▶ running ──last task done────▶ completed
 *                          ├──deadline passes──────▶ timed-out    (TimeoutError)
 *                          ├──signal aborts, SIGINT─▶ interrupted (InterruptError)
 *                          └──a task throws─────────▶ failed      (its error)
 *
 * Invariants (hold between any two public calls):
 * 1. `start` runs once: the state leaves `idle` once and leaves `running`
 *    once, in `finish`, which settles the promise `start` returned.
 * 2. While `running`, the deadline timer, the abort listener and the SIGINT
 *    listener are installed; when `running` ends all three are gone, and so
 *    is any pending turn between tasks.
 * 3. At most one task runs at a time, in the order added, and none starts
 *    after the state left `running`.
 * 4. The tasks' signal is aborted exactly when the run ends early (timeout,
 *    interrupt or a task's failure), with the error `start` rejects with.
 */
import { describeValue } from '../core/channel.js';
import { systemClock, type Clock } from '../core/clock.js';
import { InterruptError, TimeoutError } from '../core/errors.js';

/**
 * A task of a {@link Runner}: called with its index in the run and the
 * run's signal, which aborts when the runner stops early. May return a
 * promise; the next task starts once it settles.
 */
export type RunnerTask = (id: number, signal: AbortSignal) => unknown;

/** Where a {@link Runner} is in its life; see `Runner.state`. */
export type RunnerState = 'idle' | 'running' | 'completed' | 'timed-out' | 'interrupted' | 'failed';

/**
 * Where a {@link Runner} listens for `SIGINT`: Node's `process`, or any
 * event emitter with the same two methods (a test double, for instance).
 */
export interface SigintSource {
  /** Adds `listener` for `event`. */
  on(event: 'SIGINT', listener: () => void): unknown;
  /** Removes a listener added with `on`. */
  removeListener(event: 'SIGINT', listener: () => void): unknown;
}

/** Options of {@link Runner}. */
export interface RunnerOptions {
  /**
   * Milliseconds from `start()` until the run times out; a positive number,
   * or `Infinity` for no deadline.
   */
  timeout: number;
  /** The clock that measures the deadline; {@link systemClock} by default. */
  clock?: Clock | undefined;
  /** Aborting it interrupts the run (`InterruptError` with `cause` = reason). */
  signal?: AbortSignal | undefined;
  /**
   * Whether a `SIGINT` (Ctrl-C) interrupts the run; false by default. The
   * listener is added by `start()` and removed when the run ends. Ignored
   * where there is no `process` and no `sigintSource` (browsers).
   */
  interruptOnSigint?: boolean | undefined;
  /**
   * Where to listen for `SIGINT` instead of `globalThis.process`; needs
   * `interruptOnSigint: true`.
   */
  sigintSource?: SigintSource | undefined;
}

/**
 * Calls `callback` once the event loop has gone through its I/O phase, where
 * Node delivers signals; returns a function that cancels it. The system
 * clock takes two nested `setImmediate`s: the first may run in the same
 * loop iteration as the caller, before any I/O is polled, the second runs
 * in the next iteration, after it. (A zero timeout would wait about 1 ms.)
 * Any other clock gets a zero-delay timeout, so a virtual clock decides
 * when the next task starts.
 */
function afterTurn(clock: Clock, callback: () => void): () => void {
  if (clock === systemClock && typeof setImmediate === 'function') {
    let immediate = setImmediate(() => {
      immediate = setImmediate(callback);
    });
    return () => clearImmediate(immediate);
  }
  const handle = clock.setTimeout(callback, 0);
  return () => clock.clearTimeout(handle);
}

function isSigintSource(value: unknown): value is SigintSource {
  const candidate = value as SigintSource | null;
  return (
    (typeof candidate === 'object' || typeof candidate === 'function') &&
    candidate !== null &&
    typeof candidate.on === 'function' &&
    typeof candidate.removeListener === 'function'
  );
}

/** The checked options: every field has its final value. */
interface Settings {
  timeout: number;
  clock: Clock;
  signal: AbortSignal | undefined;
  sigintSource: SigintSource | undefined;
}

function checkOptions(options: unknown): Settings {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Runner(): options must be an object, got ${describeValue(options)}`);
  }
  const { timeout, clock, signal, interruptOnSigint, sigintSource } = options as RunnerOptions;
  if (typeof timeout !== 'number') {
    throw new TypeError(`Runner(): timeout must be a number, got ${describeValue(timeout)}`);
  }
  if (!(timeout > 0)) {
    throw new RangeError(`Runner(): timeout must be a positive number, got ${timeout}`);
  }
  if (
    clock !== undefined &&
    (typeof clock !== 'object' ||
      clock === null ||
      typeof clock.now !== 'function' ||
      typeof clock.setTimeout !== 'function' ||
      typeof clock.clearTimeout !== 'function')
  ) {
    throw new TypeError(
      `Runner(): clock must have now, setTimeout and clearTimeout methods, ` +
        `got ${describeValue(clock)}`,
    );
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`Runner(): signal must be an AbortSignal, got ${describeValue(signal)}`);
  }
  if (interruptOnSigint !== undefined && typeof interruptOnSigint !== 'boolean') {
    throw new TypeError(
      `Runner(): interruptOnSigint must be a boolean, got ${describeValue(interruptOnSigint)}`,
    );
  }
  if (sigintSource !== undefined && !isSigintSource(sigintSource)) {
    throw new TypeError(
      `Runner(): sigintSource must have on and removeListener methods, ` +
        `got ${describeValue(sigintSource)}`,
    );
  }
  if (sigintSource !== undefined && interruptOnSigint !== true) {
    throw new TypeError(
      `Runner(): sigintSource needs interruptOnSigint: true, got ${String(interruptOnSigint)}`,
    );
  }
  let source: SigintSource | undefined;
  if (interruptOnSigint === true) {
    const host = (globalThis as { process?: unknown }).process;
    source = sigintSource ?? (isSigintSource(host) ? host : undefined);
  }
  return { timeout, clock: clock ?? systemClock, signal, sigintSource: source };
}

/**
 * Runs tasks one after another under one deadline, as the runner package of
 * Go's concurrency tutorial: `add` the tasks, then `start()` runs each with
 * its index and resolves once the last one is done. Three things can end a
 * run, and the first one decides the outcome; later ones change nothing:
 * - every task finished: `start()` resolves;
 * - the deadline (`timeout` ms after `start()`) passed: it rejects with
 *   {@link TimeoutError};
 * - an interrupt: `signal` aborted (an {@link InterruptError} whose `cause`
 *   is the abort reason) or, with `interruptOnSigint`, a `SIGINT` arrived
 *   (an `InterruptError` with `signal: 'SIGINT'`).
 *
 * Error: a task that throws or rejects ends the run, and `start()` rejects
 * with its error; later tasks do not run.
 *
 * Abort: Go's runner looks for an interrupt only between tasks and lets the
 * running task finish. Here a timeout or interrupt settles `start()` at
 * once and aborts the signal every task received (reason: the error
 * `start()` rejects with), so the running task can stop too; whatever it
 * does afterwards is ignored, and no later task starts. The deadline timer,
 * the abort listener and the SIGINT listener are removed when the run ends,
 * whatever ended it, so a later Ctrl-C gets Node's default behaviour again.
 *
 * Between two tasks the runner lets the event loop run its timers and I/O
 * (with a custom clock, it waits a zero-delay timeout on that clock
 * instead), so a deadline or Ctrl-C that came during a synchronous task is
 * seen before the next task starts.
 *
 * Backpressure: none; the tasks are the whole workload, fixed before start.
 *
 * Limits: a task that computes synchronously holds the event loop, so the
 * deadline and SIGINT are noticed only when it returns or awaits; a SIGINT
 * that arrives during the last task, if that task never awaits, comes after
 * the run completed and is dropped with the listener, as in Go. With a
 * virtual clock, tasks after the first start only as that clock moves
 * (`advance(0)` suffices).
 *
 * @example
 * ```ts
 * const log: string[] = [];
 * const runner = new Runner({ timeout: 1000 });
 * runner.add(
 *   (id) => log.push(`task ${id}`),
 *   async (id) => log.push(`task ${id}`),
 * );
 * await runner.start();
 * console.log(log, runner.state); // [ 'task 0', 'task 1' ] completed
 *
 * const slow = new Runner({ timeout: 5 });
 * slow.add((id, signal) => sleep(60_000, { signal }));
 * const outcome = await slow.start().catch((error) => error);
 * console.log(outcome.message, slow.state); // timed out after 5 ms timed-out
 *
 * const controller = new AbortController();
 * const stoppable = new Runner({ timeout: 1000, signal: controller.signal });
 * stoppable.add((id, signal) => {
 *   controller.abort('stop');
 *   return sleep(60_000, { signal });
 * });
 * const interrupted = await stoppable.start().catch((error) => error);
 * console.log(interrupted.name, interrupted.cause); // InterruptError stop
 * ```
 * @throws TypeError if `options` is not an object or an option has the
 * wrong type; RangeError if `timeout` is not positive.
 * @see withDeadline
 */
export class Runner {
  /** The tasks in run order; appended by `add` while idle. */
  private readonly tasks: RunnerTask[] = [];
  /** Where the runner is; set by `start`, then once by `finish`. */
  private current: RunnerState = 'idle';
  /** The checked options; fixed. */
  private readonly settings: Settings;
  /** Aborted by `finish` when the run ends early; its signal goes to every task. */
  private readonly controller = new AbortController();
  /** Clears the deadline timer while it is armed; called and dropped by `finish`. */
  private cancelDeadline: (() => void) | undefined = undefined;
  /** Cancels the pending turn between two tasks, if any; set by `afterTask`. */
  private cancelTurn: (() => void) | undefined = undefined;
  /** Resolves the promise `start` returned; set by `start`, called by `finish`. */
  private resolveRun: () => void = noop;
  /** Rejects the promise `start` returned; set by `start`, called by `finish`. */
  private rejectRun: (reason: unknown) => void = noop;

  constructor(options: RunnerOptions) {
    this.settings = checkOptions(options);
  }

  /**
   * Where the runner is: `'idle'` before `start()`, `'running'`, then one of
   * `'completed'`, `'timed-out'`, `'interrupted'` or `'failed'`, for good.
   */
  get state(): RunnerState {
    return this.current;
  }

  /**
   * Appends tasks to run, in order; a task's id is its index among all the
   * tasks added.
   *
   * @throws TypeError if a task is not a function (no task is added then);
   * Error if the runner has already started.
   */
  add(...tasks: RunnerTask[]): void {
    tasks.forEach((task, index) => {
      if (typeof task !== 'function') {
        throw new TypeError(
          `Runner.add(): tasks[${index}] must be a function, got ${describeValue(task)}`,
        );
      }
    });
    if (this.current !== 'idle') {
      throw new Error(
        `Runner.add(): tasks can be added only before start, the runner is ${this.current}`,
      );
    }
    this.tasks.push(...tasks);
  }

  /**
   * Starts the deadline, listens for interrupts and runs the tasks one after
   * another. Resolves once every task is done; rejects with `TimeoutError`,
   * `InterruptError` or a task's error, whichever ends the run first. If
   * `signal` is already aborted, it rejects without running any task.
   *
   * A runner runs once: calling `start()` again returns a promise rejected
   * with an Error.
   */
  start(): Promise<void> {
    if (this.current !== 'idle') {
      return Promise.reject(
        new Error(`Runner.start(): a runner starts only once, it is ${this.current}`),
      );
    }
    this.current = 'running';
    const run = new Promise<void>((resolve, reject) => {
      this.resolveRun = resolve;
      this.rejectRun = reject;
    });
    const { timeout, clock, signal, sigintSource } = this.settings;
    if (signal !== undefined && signal.aborted) {
      this.finish('interrupted', new InterruptError({ cause: signal.reason }));
      return run;
    }
    if (timeout !== Infinity) {
      const handle = clock.setTimeout(this.timedOut, timeout);
      this.cancelDeadline = () => clock.clearTimeout(handle);
    }
    signal?.addEventListener('abort', this.aborted);
    sigintSource?.on('SIGINT', this.gotSigint);
    // The first task runs off the caller's stack, so `start()` never runs
    // user code before it returns.
    queueMicrotask(() => this.runTask(0));
    return run;
  }

  /** Calls task `id` and moves on when it settles; completes a run of no tasks. */
  private runTask(id: number): void {
    this.cancelTurn = undefined;
    if (this.current !== 'running') return;
    if (id === this.tasks.length) {
      this.finish('completed', undefined);
      return;
    }
    const task = this.tasks[id] as RunnerTask;
    let result: unknown;
    try {
      result = task(id, this.controller.signal);
    } catch (error) {
      this.finish('failed', error);
      return;
    }
    // A task that settles after the run ended (it ignored its signal) lands
    // in `finish` or `afterTask`, which both see the state and do nothing.
    Promise.resolve(result).then(
      () => this.afterTask(id),
      (error: unknown) => this.finish('failed', error),
    );
  }

  /** Completes the run after the last task, or waits a turn and runs the next. */
  private afterTask(id: number): void {
    if (this.current !== 'running') return;
    const next = id + 1;
    if (next === this.tasks.length) {
      this.finish('completed', undefined);
      return;
    }
    // Let the event loop turn, so a deadline or SIGINT that arrived while a
    // synchronous task held the loop wins before the next task starts.
    this.cancelTurn = afterTurn(this.settings.clock, () => this.runTask(next));
  }

  /** The deadline timer's callback; armed by `start`. */
  private readonly timedOut = (): void => {
    this.cancelDeadline = undefined;
    this.finish('timed-out', new TimeoutError(this.settings.timeout));
  };

  /** The abort listener on `signal`; added by `start`, removed by `finish`. */
  private readonly aborted = (): void => {
    const reason: unknown = (this.settings.signal as AbortSignal).reason;
    this.finish('interrupted', new InterruptError({ cause: reason }));
  };

  /** The SIGINT listener; added by `start`, removed by `finish`. */
  private readonly gotSigint = (): void => {
    this.finish('interrupted', new InterruptError({ signal: 'SIGINT' }));
  };

  /**
   * Ends the run with `state`, if it is still running: removes the timer,
   * the listeners and the pending turn, aborts the tasks' signal on an early
   * end, then settles the promise of `start`. Later calls do nothing.
   */
  private finish(state: Exclude<RunnerState, 'idle' | 'running'>, error: unknown): void {
    if (this.current !== 'running') return;
    this.current = state;
    const { signal, sigintSource } = this.settings;
    this.cancelDeadline?.();
    this.cancelDeadline = undefined;
    this.cancelTurn?.();
    this.cancelTurn = undefined;
    signal?.removeEventListener('abort', this.aborted);
    sigintSource?.removeListener('SIGINT', this.gotSigint);
    if (state === 'completed') {
      this.resolveRun();
      return;
    }
    // Abort listeners are user code and run synchronously; the state is
    // already final, so whatever they call on this runner sees the run over.
    this.controller.abort(error);
    this.rejectRun(error);
  }
}

function noop(): void {}
