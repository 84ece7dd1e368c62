/**
 * WorkerPool: a fixed set of workers reading one unbuffered work channel,
 * the tutorial's `work` package. Handing a task over is a rendezvous, so
 * `run` tells its caller that a worker has the task, not that it is done.
 *
 * Lifecycle:
 *
 *     open ──shutdown()──▶ closed, finishing ──last worker returns──▶ shut down
 *       └───signal aborts──▶ closed, finishing (tasks' signals aborted)
 *
 * Invariants (hold between any two public calls):
 * 1. Each worker holds at most one task; a task is taken only by a worker
 *    that is free, so at most `workers` tasks run at once.
 * 2. A task whose `run` resolved was taken by a worker and runs exactly
 *    once, even if the pool closes right afterwards.
 * 3. Once closed, always closed: the work channel stays closed, and every
 *    later `run` rejects with `ChannelClosedError`.
 * 4. Every failure of a task started by `run` goes to `onError` when given,
 *    else into `failures`, which `shutdown()` reports; a task started by
 *    `runAndWait` reports to its own caller only.
 */
import { callHook, chan, describeValue, type WaitOptions } from '../core/channel.js';
import { ChannelClosedError } from '../core/errors.js';
import { go } from '../core/tasks.js';

/**
 * A task for a {@link WorkerPool}, called with the pool's signal, which
 * aborts when the pool's own `signal` option does. The signal is shared by
 * every task, so remove any listener added to it when the task ends.
 */
export type WorkerTask<R = unknown> = (signal: AbortSignal) => R;

/** Options of the {@link WorkerPool} class (the `workerPool` operator has its own). */
export interface WorkerPoolClassOptions {
  /**
   * Called with each failure (a throw or a rejection) of a task started by
   * `run`. Without it, failures are kept and `shutdown()` rejects with an
   * `AggregateError` of them. An exception it throws is rethrown in a
   * microtask, as an uncaught error.
   */
  onError?: ((error: unknown) => void) | undefined;
  /**
   * Aborting closes the pool as `shutdown()` does and aborts the signal
   * every task was given, with the same reason.
   */
  signal?: AbortSignal | undefined;
}

/** A task on its way to a worker, with the caller waiting for it if any. */
interface Job {
  readonly task: WorkerTask;
  readonly resolve: ((value: unknown) => void) | undefined;
  readonly reject: ((reason: unknown) => void) | undefined;
}

/**
 * A fixed number of workers that run the tasks handed to them, one at a
 * time each, through an unbuffered work channel: the tutorial's `work`
 * pool. `run(task)` resolves when a worker has taken the task (the send's
 * rendezvous), not when the task ends, so a caller knows its task is being
 * handled; `runAndWait(task)` resolves with the task's result instead.
 * Each task is called with the pool's signal.
 *
 * Backpressure: while every worker is busy, `run` waits; callers queue in
 * call order. Close: `shutdown()` closes the work channel (runs still
 * waiting reject with `ChannelClosedError`; no task they carried was taken),
 * then waits for every worker to finish its task; no accepted task is lost.
 * Later runs reject with `ChannelClosedError`. Abort: a `run` whose signal
 * aborts before a worker took the task is withdrawn and rejects with
 * `signal.reason`. The pool's own `signal` shuts the pool down and aborts the
 * signal passed to every task.
 *
 * Error: a task's failure (a throw or a rejection) never stops its worker.
 * It goes to `onError` when given; otherwise the pool keeps it and
 * `shutdown()` rejects with an `AggregateError` listing every failure, once
 * all workers have returned. A task that rejects with the pool signal's
 * reason after that signal aborted has obeyed the abort and is no failure.
 * Keep the promise of `shutdown()`: failures are reported only there.
 *
 * Limits: a task that awaits `shutdown()` of its own pool never finishes,
 * since `shutdown` waits for that task. Tasks share one signal (see
 * {@link WorkerTask}).
 *
 * @example
 * ```ts
 * const pool = new WorkerPool(2);
 * const printed: string[] = [];
 * for (const name of ['steve', 'bob', 'mary']) {
 *   await pool.run(async () => {
 *     await null;
 *     printed.push(name);
 *   });
 * }
 * await pool.shutdown();
 * console.log(printed.sort()); // [ 'bob', 'mary', 'steve' ]
 * console.log(pool.closed); // true
 * ```
 * @example
 * ```ts
 * const pool = new WorkerPool(1);
 * await pool.run(() => {
 *   throw new Error('lost connection');
 * });
 * const length = await pool.runAndWait(async () => 'bob'.length);
 * const report = await pool.shutdown().catch((error: AggregateError) => error);
 * console.log(length); // 3
 * console.log(report.errors.map((error: Error) => error.message)); // [ 'lost connection' ]
 * ```
 * @throws RangeError if `workers` is not a positive integer; TypeError if
 * `options`, `onError` or `signal` is of the wrong kind (synchronously).
 * @see Dispatcher
 * @see poolMap
 */
export class WorkerPool {
  /** The unbuffered work channel; closed once, by `shutdown()` or the abort. */
  private readonly work = chan<Job>();
  /** Aborted by the pool's `signal`; its signal is handed to every task. */
  private readonly controller = new AbortController();
  /** Failures of `run` tasks kept for `shutdown()` (no `onError`); workers append. */
  private readonly failures: unknown[] = [];
  /** Resolves when every worker has returned; set once, in the constructor. */
  private readonly finished: Promise<void>;
  /** The promise every `shutdown()` returns; set by the first call. */
  private shutdownResult: Promise<void> | undefined;
  /** The failure hook; fixed. */
  private readonly onError: ((error: unknown) => void) | undefined;
  /** The caller's signal, listened to until the pool closes; fixed. */
  private readonly signal: AbortSignal | undefined;

  constructor(
    /** How many workers run; fixed. */
    readonly workers: number,
    options?: WorkerPoolClassOptions,
  ) {
    if (typeof workers !== 'number' || !Number.isInteger(workers) || workers < 1) {
      throw new RangeError(
        `WorkerPool(): workers must be a positive integer, got ${describeValue(workers)}`,
      );
    }
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw new TypeError(`WorkerPool(): options must be an object, got ${describeValue(options)}`);
    }
    const { onError, signal } = options ?? {};
    if (onError !== undefined && typeof onError !== 'function') {
      throw new TypeError(
        `WorkerPool(): onError must be a function, got ${describeValue(onError)}`,
      );
    }
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError(
        `WorkerPool(): signal must be an AbortSignal, got ${describeValue(signal)}`,
      );
    }
    this.onError = onError;
    this.signal = signal;

    const running: Promise<void>[] = [];
    // Each worker parks its first receive before the constructor returns,
    // so the first `run` hands its task straight to an idle worker.
    for (let i = 0; i < workers; i++) running.push(this.runWorker());
    this.finished = Promise.all(running).then(noop);
    if (signal !== undefined) {
      if (signal.aborted) this.aborted();
      else signal.addEventListener('abort', this.aborted, { once: true });
    }
  }

  /** Whether the pool is closed: `shutdown()` was called or its signal aborted. */
  get closed(): boolean {
    return this.work.closed;
  }

  /**
   * Hands `task` to a worker and resolves once a worker has taken it (an
   * unbuffered send's rendezvous): the task is then certain to run, but may
   * not have started or finished. Waits while every worker is busy. The
   * task's failure goes to `onError`, or is reported by `shutdown()`.
   *
   * @throws TypeError if `task` is not a function (synchronously); rejects
   * with `ChannelClosedError` if the pool is closed, or closes while the
   * call waits; with `signal.reason` if `signal` aborts first (the task was
   * not taken and never runs).
   */
  run(task: WorkerTask, options?: WaitOptions): Promise<void> {
    checkTask('WorkerPool.run()', task);
    return this.send({ task, resolve: undefined, reject: undefined }, options);
  }

  /**
   * Hands `task` to a worker as `run` does, and resolves with its result
   * once it has finished, or rejects with its failure (which then goes
   * nowhere else: neither `onError` nor `shutdown()` sees it).
   *
   * @throws TypeError if `task` is not a function (synchronously); rejects
   * as `run` does while waiting for a worker, then as the task does.
   */
  runAndWait<R>(task: WorkerTask<R>, options?: WaitOptions): Promise<Awaited<R>> {
    checkTask('WorkerPool.runAndWait()', task);
    return new Promise<Awaited<R>>((resolve, reject) => {
      const job: Job = { task, resolve: resolve as (value: unknown) => void, reject };
      this.send(job, options).then(undefined, reject);
    });
  }

  /**
   * Closes the work channel and resolves once every worker has finished
   * its current task and returned (Go's `Shutdown`). Runs still waiting for
   * a worker reject with `ChannelClosedError`. Calling it again returns the
   * same promise.
   *
   * @throws rejects with an `AggregateError` whose `errors` are the failures
   * of `run` tasks, in the order they happened, when there were any and no
   * `onError` was given (after every worker returned).
   */
  shutdown(): Promise<void> {
    if (this.shutdownResult === undefined) {
      this.close();
      this.shutdownResult = this.finished.then(() => {
        const failures = this.failures;
        if (failures.length > 0) {
          const noun = failures.length === 1 ? 'task' : 'tasks';
          throw new AggregateError(
            failures.slice(),
            `WorkerPool.shutdown(): ${failures.length} ${noun} failed`,
          );
        }
      });
    }
    return this.shutdownResult;
  }

  private async send(job: Job, options: WaitOptions | undefined): Promise<void> {
    if (this.work.closed) throw new ChannelClosedError('WorkerPool.run(): pool is shut down');
    try {
      await this.work.send(job, options);
    } catch (error) {
      if (!(error instanceof ChannelClosedError)) throw error;
      throw new ChannelClosedError('WorkerPool.run(): pool shut down while the run waited', {
        cause: error,
      });
    }
  }

  private async runWorker(): Promise<void> {
    const signal = this.controller.signal;
    for (;;) {
      const taken = await this.work.receiveOk();
      if (!taken.ok) return;
      const job = taken.value;
      // `go` turns a synchronous throw into a rejection as well.
      await go(job.task, signal).then(
        (result) => job.resolve?.(result),
        (error: unknown) => this.taskFailed(job, error),
      );
    }
  }

  private taskFailed(job: Job, error: unknown): void {
    if (job.reject !== undefined) job.reject(error);
    else if (this.controller.signal.aborted && error === this.controller.signal.reason) return;
    else if (this.onError !== undefined) callHook(this.onError, error);
    else this.failures.push(error);
  }

  private close(): void {
    this.signal?.removeEventListener('abort', this.aborted);
    if (!this.work.closed) this.work.close();
  }

  /** The listener on the caller's signal. */
  private readonly aborted = (): void => {
    this.close();
    this.controller.abort((this.signal as AbortSignal).reason);
  };
}

/** Throws unless `task` is a function. */
function checkTask(call: string, task: unknown): void {
  if (typeof task !== 'function') {
    throw new TypeError(`${call}: task must be a function, got ${describeValue(task)}`);
  }
}

function noop(): void {}
