/**
 * Group: Go's `errgroup.Group` (with `WithContext` and `SetLimit`). Tasks
 * share one AbortSignal that aborts at the first failure; `wait()` waits for
 * every task and reports that first failure.
 *
 * Lifecycle of the group signal:
 *
 *     live ──first task failure──▶ aborted (reason: that failure)
 *       └───parent signal aborts──▶ aborted (reason: the parent's reason)
 *
 * Invariants (hold between any two public calls):
 * 1. `running <= limit`, and queued tasks exist only while
 *    `running === limit`: a finishing task hands its slot to the oldest
 *    queued one before anything else runs.
 * 2. `firstError` is set once, by the first task to fail; the group signal
 *    is aborted from then on.
 * 3. The group listens to its parent signal from construction and whenever
 *    a task runs, unless the group signal is already aborted; when the last
 *    running task finishes it stops, so an idle group that has run tasks
 *    holds no listener on the parent.
 * 4. `idle` is non-null only while tasks run; it settles when the last one
 *    finishes.
 */
import { describeValue } from './channel.js';
import { Ring } from './internal/ring.js';
import { promiseInto, type Settle } from './internal/waiter.js';
import { go } from './tasks.js';

/** Options of {@link Group}. */
export interface GroupOptions {
  /**
   * The parent signal (Go's parent context): when it aborts, the group
   * signal aborts with the same reason.
   */
  signal?: AbortSignal | undefined;
  /**
   * At most this many tasks run at once (errgroup's `SetLimit`); a positive
   * integer. No limit when omitted.
   */
  limit?: number | undefined;
}

/** What a task of a {@link Group} is given: the group signal. */
export type GroupTask = (signal: AbortSignal) => unknown;

const RESOLVED: Promise<void> = Promise.resolve();

function noop(): void {}

/** A `go` call waiting for a free slot. */
class QueuedTask implements Settle {
  /** Settles this waiter's promise; set once by `promiseInto`. */
  resolve: (value: never) => void = noop;
  /** Rejects this waiter's promise; set once by `promiseInto`. */
  reject: (reason: unknown) => void = noop;

  constructor(/** The task to start; fixed. */ readonly task: GroupTask) {}
}

/** The promise every `wait()` of one busy period shares. */
class IdleWaiter implements Settle {
  /** Settles this waiter's promise; set once by `promiseInto`. */
  resolve: (value: never) => void = noop;
  /** Rejects this waiter's promise; set once by `promiseInto`. */
  reject: (reason: unknown) => void = noop;
  /** Resolves or rejects when the group becomes idle; set once, at creation. */
  readonly promise: Promise<void> = promiseInto<void>(this);
}

/**
 * A set of tasks that fail together, as Go's `errgroup.Group`: `go(task)`
 * runs `task(group.signal)`; the first task to fail aborts `group.signal`
 * with its error, telling the others to stop; `wait()` resolves when every
 * task has finished, or rejects with that first error once they all have.
 *
 * Error: the first failure wins; later ones are ignored. Failures are
 * collected by the group, so a failed task never causes an unhandled
 * rejection; call `wait()` to learn of them. A task started after the group
 * failed still runs (as in errgroup), but is handed an already aborted
 * signal, so a well-behaved task returns at once.
 *
 * Abort: with a parent `signal`, its abort aborts `group.signal` with the
 * parent's reason (it fails no task by itself; tasks that stop because of it
 * usually reject, and the first such rejection is what `wait()` reports).
 *
 * Backpressure: with `limit`, at most `limit` tasks run at once; `go` calls
 * beyond it queue in call order and start as slots free up. `tryGo` never
 * queues. There is no close: the group may take more tasks after `wait()`,
 * and a failed group stays failed.
 *
 * Limits: a queued `go` cannot be withdrawn. While the group is idle (no
 * task running) it holds no listener on the parent, so a parent abort is
 * applied to `group.signal` only when `group.signal` is next read or a task
 * next starts: the signal is always right when read, but its `abort` event
 * may fire late. A group that never runs a task keeps its one listener on
 * the parent until the parent aborts.
 *
 * @example
 * ```ts
 * const group = new Group();
 * const steps: string[] = [];
 * group.go(async () => {
 *   throw new Error('boom');
 * });
 * group.go(async (signal) => {
 *   await null;
 *   steps.push(`other task sees aborted: ${signal.aborted}`);
 * });
 * await group.wait().catch((error) => steps.push(`wait rejects: ${error.message}`));
 * console.log(steps.join(', ')); // other task sees aborted: true, wait rejects: boom
 * ```
 * @throws TypeError if `options` is not an object or `signal` is not an
 * `AbortSignal`; RangeError if `limit` is not a positive integer.
 * @see WaitGroup
 * @see doneChannel
 */
export class Group {
  /** Owns the group signal; aborted once, by the first failure or the parent. */
  private readonly controller = new AbortController();
  /** The parent signal, if any; fixed. */
  private readonly parent: AbortSignal | undefined;
  /** Most tasks allowed to run at once (Infinity without a limit); fixed. */
  private readonly limit: number;
  /** Tasks started and not yet settled; changed by `start` and `settle`. */
  private running = 0;
  /** `go` calls waiting for a slot, oldest first; drained by `settle`. */
  private readonly queue = new Ring<QueuedTask>(4);
  /** Whether a task has failed; set once, by `settle`. */
  private hasFailed = false;
  /** The first task failure; meaningful only when `hasFailed`. */
  private firstError: unknown = undefined;
  /** The shared `wait()` promise while tasks run; made by `wait`, settled by `settle`. */
  private idle: IdleWaiter | null = null;
  /** Whether `parentAborted` is registered on the parent. */
  private isWatchingParent = false;

  constructor(options?: GroupOptions) {
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw new TypeError(`Group(): options must be an object, got ${describeValue(options)}`);
    }
    const signal = options?.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError(`Group(): signal must be an AbortSignal, got ${describeValue(signal)}`);
    }
    const limit = options?.limit;
    if (
      limit !== undefined &&
      (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)
    ) {
      throw new RangeError(
        `Group(): limit must be a positive integer, got ${describeValue(limit)}`,
      );
    }
    this.parent = signal;
    this.limit = limit ?? Infinity;
    this.watchParent();
  }

  /**
   * The group signal, handed to every task: aborted when the first task
   * fails (reason: its error) or when the parent signal aborts (reason: the
   * parent's reason), whichever comes first. Never un-aborts.
   *
   * @example
   * ```ts
   * const parent = new AbortController();
   * const group = new Group({ signal: parent.signal });
   * parent.abort('shutdown');
   * console.log(group.signal.aborted, group.signal.reason); // true shutdown
   * ```
   */
  get signal(): AbortSignal {
    // An idle group does not listen to its parent (invariant 3), so catch up here.
    const parent = this.parent;
    if (parent !== undefined && parent.aborted) this.abort(parent.reason);
    return this.controller.signal;
  }

  /**
   * Runs `task(group.signal)` as a task of this group, as errgroup's `Go`.
   * Under the limit (or without one) the task starts at once, running until
   * its first `await` before `go` returns, and the returned promise is
   * already resolved. At the limit, the task is queued and the promise
   * resolves when it starts: Go's `Go` blocks its caller there, and awaiting
   * this promise is the same backpressure. The promise never rejects; the
   * task's own outcome goes to `wait()`.
   *
   * @example
   * ```ts
   * const group = new Group({ limit: 1 });
   * const gate = chan<string>();
   * await group.go(() => gate.receive());
   * const second = group.go(async () => {});
   * console.log(group.tryGo(async () => {})); // false
   * await gate.send('release the slot');
   * await second;
   * await group.wait();
   * console.log('both finished'); // both finished
   * ```
   * @throws TypeError if `task` is not a function (synchronously).
   */
  go(task: GroupTask): Promise<void> {
    checkTask('Group.go()', task);
    if (this.running < this.limit) {
      this.start(task);
      return RESOLVED;
    }
    const queued = new QueuedTask(task);
    const started = promiseInto<void>(queued);
    this.queue.push(queued);
    return started;
  }

  /**
   * Starts `task(group.signal)` only if a slot is free now (errgroup's
   * `TryGo`); returns whether it started. Never queues.
   *
   * @example
   * ```ts
   * const group = new Group({ limit: 1 });
   * const gate = chan<void>(1);
   * console.log(group.tryGo(() => gate.receive())); // true
   * console.log(group.tryGo(async () => {})); // false
   * gate.trySend(undefined);
   * await group.wait();
   * ```
   * @throws TypeError if `task` is not a function (synchronously).
   */
  tryGo(task: GroupTask): boolean {
    checkTask('Group.tryGo()', task);
    if (this.running >= this.limit) return false;
    this.start(task);
    return true;
  }

  /**
   * Resolves when every task started or queued so far has finished (at once
   * if none is running); rejects with the first task failure instead, once
   * all have finished, as errgroup's `Wait`. After a failure, every later
   * `wait()` rejects with the same error. Cannot be aborted: the tasks
   * decide when they finish.
   *
   * @example
   * ```ts
   * const group = new Group();
   * group.go(async () => {});
   * await group.wait();
   * console.log('done'); // done
   * ```
   */
  wait(): Promise<void> {
    if (this.running === 0) {
      return this.hasFailed ? Promise.reject(this.firstError) : RESOLVED;
    }
    return (this.idle ??= new IdleWaiter()).promise;
  }

  /** Starts `task` in a free slot. Precondition: `running < limit`. */
  private start(task: GroupTask): void {
    if (this.running === 0) this.watchParent();
    // Counted before the task runs: its synchronous part may call back into
    // the group (go, tryGo, wait), and must find its own slot taken.
    this.running++;
    go(task, this.controller.signal).then(this.taskSucceeded, this.taskFailed);
  }

  /** Reaction to a task that resolved; bound once, shared by every task. */
  private readonly taskSucceeded = (): void => {
    this.settle(false, undefined);
  };

  /** Reaction to a task that rejected or threw; bound once, shared by every task. */
  private readonly taskFailed = (error: unknown): void => {
    this.settle(true, error);
  };

  /** A task finished: record a first failure, then hand on its slot. */
  private settle(failed: boolean, error: unknown): void {
    if (failed && !this.hasFailed) {
      this.hasFailed = true;
      this.firstError = error;
      // Abort listeners run synchronously here, before the slot is freed
      // (errgroup cancels before its done()), so a listener that calls `go`
      // queues behind tasks that were already waiting.
      this.abort(error);
    }
    this.running--;

    const next = this.queue.length > 0 ? this.queue.shift() : undefined;
    if (next !== undefined) {
      this.start(next.task);
      (next.resolve as (value: undefined) => void)(undefined);
      return;
    }
    if (this.running > 0) return;

    this.unwatchParent();
    const idle = this.idle;
    if (idle !== null) {
      this.idle = null;
      if (this.hasFailed) idle.reject(this.firstError);
      else (idle.resolve as (value: undefined) => void)(undefined);
    }
  }

  /** Aborts the group signal with `reason` unless it is aborted already. */
  private abort(reason: unknown): void {
    this.unwatchParent();
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  /** Follows the parent signal, or copies its abort if it has happened. */
  private watchParent(): void {
    const parent = this.parent;
    if (parent === undefined || this.isWatchingParent || this.controller.signal.aborted) return;
    if (parent.aborted) {
      this.controller.abort(parent.reason);
      return;
    }
    parent.addEventListener('abort', this.parentAborted);
    this.isWatchingParent = true;
  }

  /** Stops following the parent signal, if it was followed. */
  private unwatchParent(): void {
    if (!this.isWatchingParent) return;
    (this.parent as AbortSignal).removeEventListener('abort', this.parentAborted);
    this.isWatchingParent = false;
  }

  /** The abort listener on the parent, registered by `watchParent`. */
  private readonly parentAborted = (): void => {
    this.abort((this.parent as AbortSignal).reason);
  };
}

/** Throws the TypeError of `call` unless `task` is a function. */
function checkTask(call: string, task: unknown): void {
  if (typeof task !== 'function') {
    throw new TypeError(`${call}: task must be a function, got ${describeValue(task)}`);
  }
}
