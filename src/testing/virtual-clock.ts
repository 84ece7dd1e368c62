/**
 * A virtual clock for tests: a {@link Clock} whose time moves only when the
 * test moves it, so timers, tickers and select timeouts run instantly and in
 * a reproducible order.
 *
 * Overview. Scheduled callbacks sit in a binary min-heap ordered by
 * (deadline, scheduling order). Every operation that moves time (`advance`,
 * `next`, `runAll`, the auto-advance steps) runs one at a time in a queue;
 * each first lets pending promise work settle, then pops due callbacks one
 * by one, sets the time to that callback's deadline, calls it, and lets the
 * work it woke settle before the next one.
 *
 * Invariants (hold between any two public calls):
 * 1. `now()` never decreases, and every scheduled callback's deadline is at
 *    or after `now()`.
 * 2. `pending` counts exactly the scheduled callbacks not yet fired or
 *    cleared; a cleared callback never runs.
 * 3. Callbacks run in deadline order; equal deadlines run in the order they
 *    were scheduled.
 * 4. At most one time-moving operation runs at a time.
 */
import type { Clock } from '../core/clock.js';

/** A scheduled callback. */
interface Scheduled {
  /** Handle returned by `setTimeout`; also the scheduling order. */
  readonly id: number;
  /** Clock time at which it is due. */
  readonly deadline: number;
  /** The callback; null once cleared (the heap drops such entries lazily). */
  callback: (() => void) | null;
}

/** The host's `setImmediate`, taken before any test can install fake timers. */
const hostSetImmediate: (callback: () => void) => void =
  typeof setImmediate === 'function'
    ? setImmediate
    : (callback) => {
        setTimeout(callback, 0);
      };

/**
 * Resolves after the host's next macrotask turn, so every microtask queued
 * before it (a woken receive, the `await` chain behind it) has run.
 */
function settle(): Promise<void> {
  return new Promise((resolve) => hostSetImmediate(resolve));
}

function describeArgument(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

function isBefore(a: Scheduled, b: Scheduled): boolean {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.id < b.id);
}

/** A min-heap of scheduled callbacks by (deadline, id). */
class ScheduleHeap {
  /** The heap array; may hold cleared entries until they reach the top. */
  private items: Scheduled[] = [];

  get size(): number {
    return this.items.length;
  }

  push(entry: Scheduled): void {
    const items = this.items;
    let i = items.push(entry) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!isBefore(entry, items[parent] as Scheduled)) break;
      items[i] = items[parent] as Scheduled;
      i = parent;
    }
    items[i] = entry;
  }

  /** The earliest live entry, dropping cleared ones on the way. */
  peek(): Scheduled | undefined {
    while (this.items.length > 0 && (this.items[0] as Scheduled).callback === null) this.pop();
    return this.items[0];
  }

  pop(): Scheduled | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child =
        right < items.length && isBefore(items[right] as Scheduled, items[left] as Scheduled)
          ? right
          : left;
      if (!isBefore(items[child] as Scheduled, last)) break;
      items[i] = items[child] as Scheduled;
      i = child;
    }
    items[i] = last;
    return top;
  }

  /** Rebuilds the heap from the live entries, dropping cleared ones. */
  compact(live: Iterable<Scheduled>): void {
    this.items = [];
    for (const entry of live) this.push(entry);
  }
}

/** Options of {@link VirtualClock.runAll}. */
export interface RunAllOptions {
  /** The most callbacks to fire before giving up; 10 000 by default. */
  limit?: number | undefined;
}

/**
 * A {@link Clock} for tests whose time advances only when the test says so:
 * `advance(ms)`, `next()` or `runAll()` move it, firing due callbacks in
 * deadline order (scheduling order for equal deadlines). Before each callback
 * `now()` reads that callback's deadline, and after each one the clock waits
 * a host macrotask turn, so the tasks it woke (a receive that got the timer's
 * value, the code awaiting it) run before the next callback fires. Pass it as
 * the `clock` option of timers, tickers, `sleep` and `onTimeout`.
 *
 * With `autoAdvance()` the clock instead jumps to the next deadline on its
 * own whenever the program has no promise work left to do.
 *
 * Errors: a callback that throws stops the `advance` (or `next`, `runAll`)
 * running it, with `now()` at that callback's deadline, and its promise
 * rejects with the error. Concurrent calls are queued and run one after
 * another, each measuring from the time the previous one left.
 *
 * Limits: "settled" means one host macrotask turn (`setImmediate`): work
 * waiting on real I/O or host timers is not waited for. The clock takes the
 * host's `setImmediate` when this module loads, so load it before installing
 * fake timers that replace `setImmediate`.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * const fired: number[] = [];
 * clock.setTimeout(() => fired.push(clock.now()), 100);
 * clock.setTimeout(() => fired.push(clock.now()), 50);
 * await clock.advance(99);
 * console.log(fired, clock.pending); // [ 50 ] 1
 * await clock.advance(1);
 * console.log(fired, clock.now()); // [ 50, 100 ] 100
 * ```
 * @throws TypeError if `start` is not a number; RangeError if not finite.
 * @see virtualClock
 */
export class VirtualClock implements Clock {
  /** The current virtual time; moved only by the time-moving operations. */
  private time: number;
  /** Live scheduled callbacks by handle; changed by setTimeout, clearTimeout and firing. */
  private readonly scheduled = new Map<number, Scheduled>();
  /** The same callbacks ordered by deadline, plus cleared ones not yet dropped. */
  private readonly heap = new ScheduleHeap();
  /** The handle given to the next `setTimeout`. */
  private nextId = 1;
  /** The last queued time-moving operation; each new one runs after it. */
  private tail: Promise<unknown> = Promise.resolve();
  /** Whether auto-advance is on; set by `autoAdvance`, cleared by its stop function. */
  private isAuto = false;
  /** Whether an auto-advance step is scheduled or running. */
  private isAutoBusy = false;

  constructor(start = 0) {
    if (typeof start !== 'number') {
      throw new TypeError(`VirtualClock(): start must be a number, got ${describeArgument(start)}`);
    }
    if (!Number.isFinite(start)) {
      throw new RangeError(`VirtualClock(): start must be a finite number, got ${start}`);
    }
    this.time = start;
  }

  /** The current virtual time in milliseconds. */
  now(): number {
    return this.time;
  }

  /** The number of scheduled callbacks that have not fired or been cleared. */
  get pending(): number {
    return this.scheduled.size;
  }

  /**
   * Schedules `callback` at `now() + ms` and returns its handle. A negative
   * or NaN `ms` counts as 0, as with the host's timers; `Infinity` is never
   * due (it counts in `pending` until cleared).
   *
   * @throws TypeError if `callback` is not a function or `ms` not a number.
   */
  setTimeout(callback: () => void, ms: number): number {
    if (typeof callback !== 'function') {
      throw new TypeError(
        `VirtualClock.setTimeout(): callback must be a function, got ${describeArgument(callback)}`,
      );
    }
    if (typeof ms !== 'number') {
      throw new TypeError(
        `VirtualClock.setTimeout(): ms must be a number, got ${describeArgument(ms)}`,
      );
    }
    const delay = ms > 0 ? ms : 0;
    const entry: Scheduled = { id: this.nextId++, deadline: this.time + delay, callback };
    this.scheduled.set(entry.id, entry);
    this.heap.push(entry);
    if (this.isAuto) this.pollAuto();
    return entry.id;
  }

  /** Cancels a scheduled callback; fired, cleared and unknown handles are ignored. */
  clearTimeout(handle: unknown): void {
    if (typeof handle !== 'number') return;
    const entry = this.scheduled.get(handle);
    if (entry === undefined) return;
    entry.callback = null;
    this.scheduled.delete(handle);
    // Cleared entries leave the heap lazily; a select loop that clears a
    // timeout on every turn would otherwise grow it without bound.
    if (this.heap.size > 2 * this.scheduled.size + 64) this.heap.compact(this.scheduled.values());
  }

  /**
   * Moves time forward by `ms`, firing every callback due by then (including
   * ones scheduled while it runs), then leaves `now()` at the old time plus
   * `ms`. Resolves once the last callback's work has settled.
   *
   * @example
   * ```ts
   * const clock = virtualClock(1000);
   * const order: string[] = [];
   * clock.setTimeout(() => order.push('b'), 10);
   * clock.setTimeout(() => order.push('a'), 5);
   * clock.setTimeout(() => order.push('c'), 10);
   * await clock.advance(20);
   * console.log(order.join(''), clock.now()); // abc 1020
   * ```
   * @throws TypeError (synchronously) if `ms` is not a number; RangeError if
   * it is negative or not finite. The promise rejects with the error of a
   * callback that throws.
   */
  advance(ms: number): Promise<void> {
    if (typeof ms !== 'number') {
      throw new TypeError(`advance(): ms must be a number, got ${describeArgument(ms)}`);
    }
    if (!(ms >= 0 && ms !== Infinity)) {
      throw new RangeError(`advance(): ms must be a non-negative finite number, got ${ms}`);
    }
    return this.enqueue(async () => {
      await settle();
      const target = this.time + ms;
      await this.fireUntil(target, Infinity, 'advance()');
      this.time = target;
    });
  }

  /**
   * Moves time to the earliest deadline and fires every callback due then.
   * Resolves to false, leaving time alone, if nothing is scheduled (or only
   * callbacks that are never due).
   *
   * @example
   * ```ts
   * const clock = virtualClock();
   * clock.setTimeout(() => {}, 30);
   * console.log(await clock.next(), clock.now()); // true 30
   * console.log(await clock.next(), clock.now()); // false 30
   * ```
   */
  next(): Promise<boolean> {
    return this.enqueue(async () => {
      await settle();
      const first = this.heap.peek();
      if (first === undefined || first.deadline === Infinity) return false;
      await this.fireUntil(first.deadline, Infinity, 'next()');
      return true;
    });
  }

  /**
   * Fires scheduled callbacks in order, moving time with them, until none
   * is left that will ever be due; resolves to the number fired. Time stays
   * at the last deadline fired.
   *
   * @example
   * ```ts
   * const clock = virtualClock();
   * clock.setTimeout(() => clock.setTimeout(() => {}, 5), 10);
   * console.log(await clock.runAll(), clock.now(), clock.pending); // 2 15 0
   * ```
   * @throws TypeError (synchronously) if `limit` is not a positive integer.
   * The promise rejects with an Error once more than `limit` callbacks fired
   * and more are due (a ticker never runs dry), or with the error of a
   * callback that throws.
   */
  runAll(options?: RunAllOptions): Promise<number> {
    const limit = options?.limit ?? 10_000;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
      throw new TypeError(
        `runAll(): limit must be a positive integer, got ${describeArgument(limit)}`,
      );
    }
    return this.enqueue(async () => {
      await settle();
      return this.fireUntil(Number.MAX_VALUE, limit, 'runAll()');
    });
  }

  /**
   * Turns on auto-advance: whenever a macrotask turn passes with a callback
   * scheduled, the clock moves to the earliest deadline and fires what is
   * due, so code that sleeps on this clock runs to completion without the
   * test moving time. Returns a function that turns it off again.
   *
   * An error thrown by a callback fired this way is rethrown as an uncaught
   * exception, as a host timer's would be. Limits: a ticker keeps it stepping
   * forever, so turn it off when done; idleness means no promise work left,
   * not no I/O in flight.
   *
   * @example
   * ```ts
   * const clock = virtualClock();
   * const stop = clock.autoAdvance();
   * const log: number[] = [];
   * clock.setTimeout(() => log.push(clock.now()), 60_000);
   * await new Promise((resolve) => clock.setTimeout(() => resolve(undefined), 120_000));
   * stop();
   * console.log(log, clock.now()); // [ 60000 ] 120000
   * ```
   */
  autoAdvance(): () => void {
    this.isAuto = true;
    this.pollAuto();
    return () => {
      this.isAuto = false;
    };
  }

  /** Schedules an auto-advance step after the next macrotask turn, unless one is pending. */
  private pollAuto(): void {
    if (this.isAutoBusy) return;
    this.isAutoBusy = true;
    hostSetImmediate(() => {
      const first = this.heap.peek();
      if (!this.isAuto || first === undefined || first.deadline === Infinity) {
        // Nothing to do; the next setTimeout (or autoAdvance) polls again.
        this.isAutoBusy = false;
        return;
      }
      this.next().then(
        () => {
          this.isAutoBusy = false;
          if (this.isAuto) this.pollAuto();
        },
        (error: unknown) => {
          this.isAutoBusy = false;
          if (this.isAuto) this.pollAuto();
          queueMicrotask(() => {
            throw error;
          });
        },
      );
    });
  }

  /** Runs `operation` after every operation queued before it. */
  private enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.tail.then(operation);
    this.tail = result.then(noop, noop);
    return result;
  }

  /**
   * Fires callbacks due at or before `target`, in order, up to `limit` of
   * them; returns how many fired. Precondition: runs inside `enqueue`.
   */
  private async fireUntil(target: number, limit: number, call: string): Promise<number> {
    let fired = 0;
    for (;;) {
      const entry = this.heap.peek();
      if (entry === undefined || entry.deadline > target) return fired;
      if (fired === limit) {
        throw new Error(
          `${call}: fired ${limit} callbacks and more are due; ` +
            'a ticker or a callback that reschedules itself never runs dry',
        );
      }
      this.heap.pop();
      this.scheduled.delete(entry.id);
      const callback = entry.callback as () => void;
      entry.callback = null;
      this.time = entry.deadline;
      fired++;
      callback();
      // Let the work this callback woke run before the next one fires, so
      // tasks observe each deadline in turn.
      await settle();
    }
  }
}

function noop(): void {}

/**
 * Makes a {@link VirtualClock} starting at `start` milliseconds (0 by
 * default). Time advances only when the test says so.
 *
 * @example
 * ```ts
 * const clock = virtualClock(500);
 * console.log(clock.now(), clock.pending); // 500 0
 * ```
 * @throws TypeError if `start` is not a number; RangeError if not finite.
 */
export function virtualClock(start = 0): VirtualClock {
  return new VirtualClock(start);
}
