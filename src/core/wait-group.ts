/**
 * WaitGroup: Go's `sync.WaitGroup`, a counter of unfinished tasks whose
 * `wait()` resolves once the counter is back at zero.
 *
 * Invariants (hold between any two public calls):
 * 1. `count` is a non-negative safe integer; a call that would take it out
 *    of that range throws before changing anything.
 * 2. Parked waiters exist only while `count > 0`: the call that brings the
 *    count to zero releases every one of them before it returns.
 * 3. A parked waiter sits in `waiters` until it is released or its signal
 *    aborts; an abort removes it in O(1), a release removes its listener.
 */
import { describeValue, type WaitOptions } from './channel.js';
import { WaitQueue, QueueNode } from './internal/wait-queue.js';
import { promiseInto } from './internal/waiter.js';
import { go } from './tasks.js';

const RESOLVED: Promise<void> = Promise.resolve();

/** A parked `wait()`. */
class CountWaiter extends QueueNode {
  /** Settles this waiter's promise; set once by `promiseInto`. */
  resolve: (value: never) => void = noop;
  /** Rejects this waiter's promise; set once by `promiseInto`. */
  reject: (reason: unknown) => void = noop;

  constructor(
    /** The abort signal listened to while parked, if any; fixed. */
    readonly signal: AbortSignal | undefined,
  ) {
    super();
  }

  /** The count reached zero. Precondition: already removed from its queue. */
  release(): void {
    if (this.signal !== undefined) this.signal.removeEventListener('abort', this);
    (this.resolve as (value: undefined) => void)(undefined);
  }

  /** The abort listener: withdraw and reject. Runs synchronously inside `abort()`. */
  handleEvent(): void {
    // A released waiter has removed this listener already, so it is queued.
    const signal = this.signal as AbortSignal;
    this.queue?.remove(this);
    signal.removeEventListener('abort', this);
    this.reject(signal.reason);
  }
}

function noop(): void {}

/**
 * A counter of unfinished tasks, as Go's `sync.WaitGroup`: `add` raises it,
 * `done` lowers it, and `wait()` resolves when it is zero. `go(task)` does
 * all three for one task (Go 1.25's `WaitGroup.Go`).
 *
 * Error: the group does not look at results; a task started with `go` that
 * fails still counts as done, and its rejection stays with the promise `go`
 * returned (see {@link Group} to collect errors). Abort: a `wait` whose
 * signal aborts is withdrawn and rejects with `signal.reason`; the count is
 * untouched. There is no close and no backpressure: `add` never waits.
 *
 * As in Go, call `add` before starting the work it counts, and before any
 * `wait` that should see it. The group may be reused once the count is zero.
 *
 * @example
 * ```ts
 * const wg = new WaitGroup();
 * const results: number[] = [];
 * for (const n of [1, 2, 3]) {
 *   wg.go(async () => {
 *     await null;
 *     results.push(n * 10);
 *   });
 * }
 * console.log(wg.count); // 3
 * await wg.wait();
 * console.log(results); // [ 10, 20, 30 ]
 * ```
 * @see go
 * @see Group
 */
export class WaitGroup {
  /** Unfinished work; changed only by `add` (and `done`, `go` through it). */
  private counter = 0;
  /** Parked `wait()` calls, oldest first; emptied when the count reaches zero. */
  private readonly waiters = new WaitQueue<CountWaiter>();

  /** The current count: tasks added and not yet done. */
  get count(): number {
    return this.counter;
  }

  /**
   * Adds `delta` (default 1, may be negative) to the count. When the count
   * reaches zero, every pending `wait()` resolves.
   *
   * @example
   * ```ts
   * const wg = new WaitGroup();
   * wg.add(2);
   * wg.add(-1);
   * console.log(wg.count); // 1
   * ```
   * @throws RangeError if `delta` is not a safe integer, or the count would
   * go negative or past `Number.MAX_SAFE_INTEGER`; the count is unchanged.
   */
  add(delta = 1): void {
    if (typeof delta !== 'number' || !Number.isSafeInteger(delta)) {
      throw new RangeError(
        `WaitGroup.add(): delta must be an integer, got ${describeValue(delta)}`,
      );
    }
    const next = this.counter + delta;
    if (next < 0) {
      throw new RangeError(
        `WaitGroup.add(): counter would go negative, got ${delta} with count ${this.counter}`,
      );
    }
    if (!Number.isSafeInteger(next)) {
      throw new RangeError(
        `WaitGroup.add(): counter would pass Number.MAX_SAFE_INTEGER, got ${delta} with count ${this.counter}`,
      );
    }
    this.counter = next;
    if (next === 0) this.releaseAll();
  }

  /**
   * Lowers the count by one, as `add(-1)`.
   *
   * @example
   * ```ts
   * const wg = new WaitGroup();
   * wg.add();
   * const waited = wg.wait();
   * wg.done();
   * await waited;
   * console.log(wg.count); // 0
   * ```
   * @throws RangeError if the count is already zero.
   */
  done(): void {
    if (this.counter === 0) {
      throw new RangeError('WaitGroup.done(): counter would go negative, got count 0');
    }
    this.counter--;
    if (this.counter === 0) this.releaseAll();
  }

  /**
   * Resolves when the count is zero: at once if it is zero now, else when a
   * later `add` or `done` brings it there. Any number of calls may wait.
   *
   * Abort: if `signal` aborts first (or already has), the wait is withdrawn
   * and rejects with `signal.reason`; an aborted signal wins even when the
   * count is zero, as it does for channel operations.
   *
   * @example
   * ```ts
   * const wg = new WaitGroup();
   * wg.add();
   * const controller = new AbortController();
   * const waited = wg.wait({ signal: controller.signal });
   * controller.abort(new Error('gave up'));
   * const reason = await waited.catch((error: Error) => error.message);
   * console.log(reason); // gave up
   * console.log(wg.count); // 1
   * ```
   * @throws TypeError if `options` is not an object or `signal` is not an
   * `AbortSignal` (synchronously).
   */
  wait(options?: WaitOptions): Promise<void> {
    const signal = signalOption('WaitGroup.wait()', options);
    if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
    if (this.counter === 0) return RESOLVED;

    const waiter = new CountWaiter(signal);
    const promise = promiseInto<void>(waiter);
    this.waiters.push(waiter);
    if (signal !== undefined) signal.addEventListener('abort', waiter);
    return promise;
  }

  /**
   * Runs `task` as a task counted by this group (Go 1.25's `WaitGroup.Go`):
   * adds one, starts `task()` as {@link go} does, and calls `done()` when it
   * settles, whether it resolved or rejected. Returns the task's promise;
   * its rejection is the caller's to handle (an ignored one is an unhandled
   * rejection), the group only counts.
   *
   * @example
   * ```ts
   * const wg = new WaitGroup();
   * const task = wg.go(async () => 'ok');
   * await wg.wait();
   * console.log(await task, wg.count); // ok 0
   * ```
   * @throws TypeError if `task` is not a function (synchronously; nothing
   * is added).
   */
  go<R>(task: () => R): Promise<Awaited<R>> {
    if (typeof task !== 'function') {
      throw new TypeError(`WaitGroup.go(): task must be a function, got ${describeValue(task)}`);
    }
    this.add(1);
    const promise = go(task);
    // Two handlers rather than `finally`, whose derived promise would
    // reject (unhandled) when the task fails. This reaction was registered
    // first, so the count is lowered before the caller's own reactions run.
    promise.then(this.taskSettled, this.taskSettled);
    return promise;
  }

  /** Lowers the count for a task started by `go`. */
  private readonly taskSettled = (): void => {
    this.done();
  };

  /** Resolves every parked waiter. Precondition: the count is zero. */
  private releaseAll(): void {
    let waiter: CountWaiter | null;
    while ((waiter = this.waiters.shift()) !== null) waiter.release();
  }
}

/** Reads and checks the `signal` option of a call named `call`. */
function signalOption(call: string, options: WaitOptions | undefined): AbortSignal | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${call}: options must be an object, got ${describeValue(options)}`);
  }
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`${call}: signal must be an AbortSignal, got ${describeValue(signal)}`);
  }
  return signal;
}
