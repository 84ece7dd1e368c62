/**
 * ConcurrencyLimiter: at most `limit` tasks run at once, the rest wait in
 * line. It answers the question a goroutine pool leaves open (how many
 * workers is right?) either with a number the caller picks, or by letting
 * an AIMD controller (adaptive-limit.ts) find it from observed latency.
 *
 *   run(task) ──slot free, nobody waiting──▶ running ──task settles──▶ done
 *        └──────otherwise──▶ waiting (FIFO) ──slot frees──▶ running
 *                               └──signal aborts──▶ rejected, no trace left
 *
 * Invariants (hold between any two public calls):
 * 1. A task is admitted only while `running < limit`; so `running` never
 *    exceeds the limit that was current when each running task started.
 * 2. A waiter implies no free slot: `waiting > 0` implies
 *    `running >= limit`. Every step that frees a slot or raises the limit
 *    (only `finish` does either) admits waiters until it holds again.
 * 3. Waiters are admitted in arrival order; an aborted waiter is removed at
 *    once, with its abort listener.
 * 4. A slot is held from the moment the task is called until its result
 *    settles, even if the caller's signal aborted in between.
 */
import { describeValue, type WaitOptions } from '../core/channel.js';
import { systemClock, type Clock } from '../core/clock.js';
import {
  AimdLimit,
  isTimeoutError,
  type AdaptiveLimitOptions,
  type AimdSettings,
  type LimitDecision,
} from './adaptive-limit.js';

/**
 * The work a limiter runs: called once a slot is free, with the caller's
 * signal (or one that never aborts). Returns the result or a promise of it.
 */
export type LimitedTask<T> = (signal: AbortSignal) => T | PromiseLike<T>;

/** Options of {@link ConcurrencyLimiter}: a fixed `limit`, or an `adaptive` one. */
export type ConcurrencyLimitOptions =
  | {
      /** How many tasks may run at once; a positive integer. */
      limit: number;
      adaptive?: undefined;
      /** Where latencies are measured; not used by a fixed limit. */
      clock?: Clock | undefined;
    }
  | {
      limit?: undefined;
      /** How the limit moves; see {@link AdaptiveLimitOptions}. */
      adaptive: AdaptiveLimitOptions;
      /** Where latencies and decision times are read; `systemClock` by default. */
      clock?: Clock | undefined;
    };

/** A task waiting for a slot. */
interface Waiter {
  /** Admits the task; the caller has already removed the waiter. */
  start: () => void;
  /** Removes the abort listener, if any. */
  unlisten: () => void;
}

/** Checked options. */
interface LimiterConfig {
  fixed: number;
  adaptive: AimdSettings | undefined;
  clock: Clock;
}

const NO_DECISIONS: readonly LimitDecision[] = Object.freeze([]);

/** The signal handed to tasks run without one: it never aborts. */
const NEVER_ABORTED = new AbortController().signal;

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}

function checkPositiveInteger(call: string, name: string, value: unknown): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${call}: ${name} must be a number, got ${describeValue(value)}`);
  }
  if (!isPositiveInteger(value)) {
    throw new RangeError(`${call}: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function checkAdaptive(call: string, adaptive: unknown): AimdSettings {
  if (typeof adaptive !== 'object' || adaptive === null) {
    throw new TypeError(`${call}: adaptive must be an object, got ${describeValue(adaptive)}`);
  }
  const options = adaptive as AdaptiveLimitOptions;
  const min = checkPositiveInteger(call, 'adaptive.min', options.min);
  const max = checkPositiveInteger(call, 'adaptive.max', options.max);
  if (max < min) {
    throw new RangeError(
      `${call}: adaptive.max must be at least adaptive.min (${min}), got ${max}`,
    );
  }
  const initial = checkPositiveInteger(call, 'adaptive.initial', options.initial);
  if (initial < min || initial > max) {
    throw new RangeError(
      `${call}: adaptive.initial must be between adaptive.min (${min}) and adaptive.max ` +
        `(${max}), got ${initial}`,
    );
  }
  const { targetLatency, increase = 1, decrease = 0.5, window, isOverload } = options;
  if (typeof targetLatency !== 'number') {
    throw new TypeError(
      `${call}: adaptive.targetLatency must be a number, got ${describeValue(targetLatency)}`,
    );
  }
  if (!(targetLatency > 0 && targetLatency < Infinity)) {
    throw new RangeError(
      `${call}: adaptive.targetLatency must be a positive finite number, got ${targetLatency}`,
    );
  }
  checkPositiveInteger(call, 'adaptive.increase', increase);
  if (typeof decrease !== 'number') {
    throw new TypeError(
      `${call}: adaptive.decrease must be a number, got ${describeValue(decrease)}`,
    );
  }
  if (!(decrease > 0 && decrease < 1)) {
    throw new RangeError(
      `${call}: adaptive.decrease must be between 0 and 1 (exclusive), got ${decrease}`,
    );
  }
  if (window !== undefined) checkPositiveInteger(call, 'adaptive.window', window);
  if (isOverload !== undefined && typeof isOverload !== 'function') {
    throw new TypeError(
      `${call}: adaptive.isOverload must be a function, got ${describeValue(isOverload)}`,
    );
  }
  return {
    initial,
    min,
    max,
    targetLatency,
    increase,
    decrease,
    window,
    isOverload: isOverload ?? isTimeoutError,
  };
}

/** Checks the options of `call`; throws before anything is made. */
function checkOptions(call: string, options: unknown): LimiterConfig {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${call}: options must be an object, got ${describeValue(options)}`);
  }
  const { limit, adaptive, clock = systemClock } = options as ConcurrencyLimitOptions;
  if (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function') {
    throw new TypeError(`${call}: clock must have a now method, got ${describeValue(clock)}`);
  }
  if ((limit === undefined) === (adaptive === undefined)) {
    throw new TypeError(
      `${call}: options must have exactly one of limit and adaptive, ` +
        `got ${limit === undefined ? 'neither' : 'both'}`,
    );
  }
  if (adaptive !== undefined) {
    const settings = checkAdaptive(call, adaptive);
    return { fixed: settings.initial, adaptive: settings, clock };
  }
  return { fixed: checkPositiveInteger(call, 'limit', limit), adaptive: undefined, clock };
}

function checkRun(call: string, task: unknown, options: unknown): AbortSignal | undefined {
  if (typeof task !== 'function') {
    throw new TypeError(`${call}: task must be a function, got ${describeValue(task)}`);
  }
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${call}: options must be an object, got ${describeValue(options)}`);
  }
  const { signal } = options as WaitOptions;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`${call}: signal must be an AbortSignal, got ${describeValue(signal)}`);
  }
  return signal;
}

/**
 * Runs tasks with at most `limit` of them at once; the others wait for a
 * slot in arrival order. This is the flow control a goroutine pool gives,
 * without fixing the number of workers in advance: the limit is either a
 * fixed number, or adaptive, moved by observed latency with AIMD (additive
 * increase, multiplicative decrease), as TCP finds the rate a network
 * path can carry.
 *
 * Adaptive limit. Each task's latency (from the moment it gets a slot to
 * the moment its result settles, read on `clock`) is a sample. A sample
 * above `targetLatency`, or a failure that `isOverload` recognises (by
 * default an error named `'TimeoutError'`), multiplies the limit by
 * `decrease`, rounded down and never below `min`. A round of `window`
 * samples within target (by default, as many as the current limit) adds
 * `increase`, never above `max`. Only tasks admitted since the last change
 * count, since the others ran under the old limit; and a healthy sample
 * counts toward a round only if at least half of the limit was in use when
 * its task started, so an idle limiter does not drift up to `max`. Other
 * failures give no sample. Every change is kept in `decisions`.
 *
 * Backpressure: `run` resolves only once its task has run, so awaiting it
 * is the brake; waiting tasks queue without bound (there is no cap on
 * waiters, as with channel senders). Use `tryRun` to refuse work instead
 * of queueing it.
 *
 * Error: a task that throws or rejects makes its `run` reject with that
 * error and frees its slot; the limiter itself goes on. Abort: aborting
 * `signal` while the task waits removes it from the line, and `run`
 * rejects with `signal.reason`; once the task runs, the signal is the
 * task's to honour, and `run` settles with whatever the task does. The
 * limiter has no close: it holds nothing but its waiters.
 *
 * Limits: a task that ignores its signal keeps its slot until it settles.
 * `decisions` keeps the last 100 changes only.
 *
 * @example
 * ```ts
 * const limiter = new ConcurrencyLimiter({ limit: 2 });
 * const gates: Array<() => void> = [];
 * const task = () => new Promise<void>((resolve) => gates.push(resolve));
 * const all = Promise.all([limiter.run(task), limiter.run(task), limiter.run(task)]);
 * console.log(limiter.running, limiter.waiting); // 2 1
 *
 * gates[0]?.();
 * await sleep(0);
 * console.log(limiter.running, limiter.waiting, gates.length); // 2 0 3
 *
 * gates[1]?.();
 * gates[2]?.();
 * await all;
 * console.log(limiter.running); // 0
 * ```
 * @example
 * ```ts
 * // A clock the tasks move themselves, so latencies are exact.
 * let now = 0;
 * const clock = { now: () => now, setTimeout, clearTimeout };
 * const limiter = new ConcurrencyLimiter({
 *   adaptive: { initial: 4, min: 1, max: 8, targetLatency: 100 },
 *   clock,
 * });
 * await limiter.run(() => {
 *   now += 250;
 * });
 * console.log(limiter.limit); // 2
 *
 * const quick = () => limiter.run(() => {
 *   now += 10;
 * });
 * await Promise.all([quick(), quick()]);
 * console.log(limiter.limit); // 3
 * console.log(limiter.decisions.map((d) => `${d.from}->${d.to} ${d.reason}`)); // [ '4->2 decrease', '2->3 increase' ]
 * ```
 * @throws TypeError if the options are of the wrong kind, have both or
 * neither of `limit` and `adaptive`, or `clock` has no `now`; RangeError if
 * `limit`, `min`, `max`, `initial`, `increase` or `window` is not a
 * positive integer, `max < min`, `initial` is outside `[min, max]`,
 * `targetLatency` is not positive and finite, or `decrease` is not
 * strictly between 0 and 1.
 * @see concurrencyLimit
 */
export class ConcurrencyLimiter {
  /** The limit when fixed; ignored once `aimd` is set. Never changes. */
  private readonly fixed: number;
  /** The adaptive controller, or undefined for a fixed limit; fixed. */
  private readonly aimd: AimdLimit | undefined;
  /** Whether a failure is an overload signal; fixed. */
  private readonly isOverload: (error: unknown) => boolean;
  /** Where latencies are read; fixed. */
  private readonly clock: Clock;
  /** Tasks holding a slot; raised by `admit`, lowered by `finish`. */
  private runningCount = 0;
  /** Tasks waiting for a slot, oldest first (a Set keeps insertion order). */
  private readonly waiters = new Set<Waiter>();

  constructor(options: ConcurrencyLimitOptions) {
    const config = checkOptions('new ConcurrencyLimiter()', options);
    this.fixed = config.fixed;
    this.clock = config.clock;
    this.aimd =
      config.adaptive === undefined ? undefined : new AimdLimit(config.adaptive, config.clock);
    this.isOverload = config.adaptive?.isOverload ?? isTimeoutError;
  }

  /** How many tasks may run at once now. */
  get limit(): number {
    return this.aimd === undefined ? this.fixed : this.aimd.limit;
  }

  /** How many tasks hold a slot (after a decrease, possibly more than `limit`). */
  get running(): number {
    return this.runningCount;
  }

  /** How many tasks wait for a slot. */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Whether the limit adapts to latency. */
  get isAdaptive(): boolean {
    return this.aimd !== undefined;
  }

  /**
   * The last 100 changes of an adaptive limit, oldest first, each with the
   * time, the limit before and after, the direction, and the latency of the
   * sample that made it; always empty for a fixed limit. A fresh array on
   * every read.
   */
  get decisions(): readonly LimitDecision[] {
    return this.aimd === undefined ? NO_DECISIONS : this.aimd.decisions;
  }

  /**
   * Runs `task` once a slot is free, and resolves or rejects with its
   * result. The task starts synchronously, inside this call, when a slot is
   * free and nobody waits; otherwise it waits in line, and starts inside
   * the settlement of the task whose slot it takes.
   *
   * Abort: while waiting, aborting `signal` withdraws the task (it is never
   * called) and rejects with `signal.reason`; an aborted signal rejects at
   * once. While running, the task gets the same signal.
   *
   * @example
   * ```ts
   * const limiter = new ConcurrencyLimiter({ limit: 1 });
   * const controller = new AbortController();
   * const first = limiter.run(() => sleep(1));
   * const second = limiter.run(() => 'never', { signal: controller.signal });
   * controller.abort(new Error('not needed'));
   * console.log(limiter.waiting); // 0
   * console.log(await second.catch((error) => error.message)); // not needed
   * await first;
   * ```
   * @throws TypeError (synchronously) if `task` is not a function or
   * `signal` not an AbortSignal.
   */
  run<T>(task: LimitedTask<T>, options?: WaitOptions): Promise<T> {
    const signal = checkRun('run()', task, options);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      if (this.runningCount < this.limit && this.waiters.size === 0) {
        this.admit(task, signal, resolve, reject);
        return;
      }
      const onAbort = (): void => {
        // Already admitted: the waiter left the set before it started.
        if (!this.waiters.delete(waiter)) return;
        reject((signal as AbortSignal).reason);
      };
      const waiter: Waiter = {
        start: () => this.admit(task, signal, resolve, reject),
        unlisten: () => signal?.removeEventListener('abort', onAbort),
      };
      this.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Runs `task` if a slot is free and nobody waits, and returns the promise
   * `run` would; returns undefined, without calling the task, otherwise.
   *
   * @example
   * ```ts
   * const limiter = new ConcurrencyLimiter({ limit: 1 });
   * const first = limiter.tryRun(() => sleep(1));
   * console.log(first !== undefined, limiter.tryRun(() => 'late')); // true undefined
   * await first;
   * ```
   * @throws TypeError if `task` is not a function or `signal` not an
   * AbortSignal.
   */
  tryRun<T>(task: LimitedTask<T>, options?: WaitOptions): Promise<T> | undefined {
    const signal = checkRun('tryRun()', task, options);
    if (this.runningCount >= this.limit || this.waiters.size > 0) return undefined;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => this.admit(task, signal, resolve, reject));
  }

  /**
   * Gives `task` a slot and calls it. Precondition: a slot is free (or the
   * caller is `drain`, which checked), and the task is in no waiter set.
   */
  private admit<T>(
    task: LimitedTask<T>,
    signal: AbortSignal | undefined,
    resolve: (value: T) => void,
    reject: (reason: unknown) => void,
  ): void {
    this.runningCount++;
    const epoch = this.aimd?.epoch ?? 0;
    const isSaturated = this.runningCount * 2 >= this.limit;
    const started = this.clock.now();
    let result: T | PromiseLike<T>;
    try {
      result = task(signal ?? NEVER_ABORTED);
    } catch (error) {
      result = Promise.reject(error);
    }
    // Even a synchronous result frees its slot in a later microtask, so a
    // task never re-enters `finish` from inside `run`.
    Promise.resolve(result).then(
      (value) => {
        this.finish(epoch, isSaturated, started, false, undefined);
        resolve(value);
      },
      (error: unknown) => {
        this.finish(epoch, isSaturated, started, true, error);
        reject(error);
      },
    );
  }

  /** Frees a slot, feeds the sample to the controller and admits waiters. */
  private finish(
    epoch: number,
    saturated: boolean,
    started: number,
    failed: boolean,
    error: unknown,
  ): void {
    this.runningCount--;
    if (this.aimd !== undefined) {
      const overload = failed && this.checkOverload(error);
      if (!failed || overload) {
        const latency = this.clock.now() - started;
        this.aimd.sample({ epoch, saturated, latency, overload });
      }
    }
    this.drain();
  }

  /** Asks `isOverload`; a throwing predicate counts as no, and its error is rethrown async. */
  private checkOverload(error: unknown): boolean {
    try {
      return this.isOverload(error) === true;
    } catch (predicateError) {
      queueMicrotask(() => {
        throw predicateError;
      });
      return false;
    }
  }

  /** Admits waiters, oldest first, while a slot is free (invariant 2). */
  private drain(): void {
    while (this.runningCount < this.limit) {
      // A started task may run arbitrary code, even abort other waiters, so
      // the oldest waiter is looked up afresh on every turn.
      const next = this.waiters.values().next();
      if (next.done === true) return;
      const waiter = next.value;
      this.waiters.delete(waiter);
      waiter.unlisten();
      waiter.start();
    }
  }
}

/**
 * Makes a {@link ConcurrencyLimiter}: `{ limit }` for a fixed number of
 * tasks at once, `{ adaptive }` for a limit that follows latency.
 *
 * @example
 * ```ts
 * const limiter = concurrencyLimit({ limit: 3 });
 * console.log(limiter.limit, limiter.isAdaptive, limiter.decisions); // 3 false []
 * ```
 * @throws TypeError or RangeError for bad options, as the constructor.
 */
export function concurrencyLimit(options: ConcurrencyLimitOptions): ConcurrencyLimiter {
  checkOptions('concurrencyLimit()', options);
  return new ConcurrencyLimiter(options);
}
