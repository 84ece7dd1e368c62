/**
 * Dispatcher: a bounded job queue served by a fixed set of workers, the
 * tutorial's two-level channel design. Each worker owns an unbuffered job
 * channel and, whenever it is idle, registers that channel in a pool
 * channel (a channel of channels); the dispatch loop takes an idle
 * worker's channel from the pool, then the next job from the queue, and
 * sends the job on the worker's channel.
 *
 * Lifecycle:
 *
 *     running ──stop({ drain: true })──▶ draining ──queue empty──▶ stopped
 *        │                                  │
 *        └──stop({ drain: false }) / signal─┴──▶ aborting ──workers return──▶ stopped
 *
 * Invariants (hold between any two public calls):
 * 1. At most `maxWorkers` handlers run at once: a worker takes a job only
 *    after registering itself idle, and runs one job at a time.
 * 2. Every accepted job (its `submit` resolved, or `trySubmit` returned
 *    true) is handed to exactly one handler, or, once the dispatcher
 *    aborts, handed back as undelivered: never both, never neither.
 * 3. The pool holds at most one channel per worker, so registering never
 *    waits; the loop holds at most one idle worker's channel (`held`).
 * 4. Once stopping, always stopping: the job queue is closed, so every
 *    later `submit` rejects with `ChannelClosedError`.
 */
import { callHook, chan, describeValue, type Channel, type WaitOptions } from '../core/channel.js';
import { ChannelClosedError } from '../core/errors.js';
import { go } from '../core/tasks.js';

/**
 * The work a {@link Dispatcher} does per job. `signal` aborts on `stop({
 * drain: false })` or when the dispatcher's own signal aborts; it is one
 * signal shared by every job, so remove any listener added to it when the
 * job ends.
 */
export type JobHandler<J> = (job: J, signal: AbortSignal) => unknown;

/** Options of {@link Dispatcher}. */
export interface DispatcherOptions<J> {
  /** How many workers run handlers, one job at a time each; a positive integer. */
  maxWorkers: number;
  /** How many jobs wait in the queue before `submit` waits; a positive integer. */
  maxQueue: number;
  /** Handles one job; may return a promise. */
  handler: JobHandler<J>;
  /**
   * Called with each handler failure and its job. Without it, failures are
   * kept and `stop()` rejects with an `AggregateError` of them. An
   * exception it throws is rethrown in a microtask, as an uncaught error.
   */
  onError?: ((error: unknown, job: J) => void) | undefined;
  /**
   * Called with each job handed back unprocessed when the dispatcher
   * aborts, in queue order, before `stop()` settles. An exception it throws
   * is rethrown in a microtask, as an uncaught error.
   */
  onUndelivered?: ((job: J) => void) | undefined;
  /** Aborting stops the dispatcher as `stop({ drain: false })` does, with `signal.reason`. */
  signal?: AbortSignal | undefined;
}

/** Options of {@link Dispatcher.stop}. */
export interface DispatcherStopOptions {
  /**
   * `true` (the default) lets the workers process every queued job first;
   * `false` aborts: queued jobs are handed back and running handlers see
   * their signal abort.
   */
  drain?: boolean | undefined;
  /** The abort reason handed to running handlers when not draining. */
  reason?: unknown;
}

/** The `AggregateError` a failed `stop()` rejects with. */
export type DispatcherFailure<J> = AggregateError & {
  /** Jobs handed back unprocessed (empty unless the dispatcher aborted). */
  readonly undelivered: J[];
};

/** Environment variables read by {@link Dispatcher.fromEnv}. */
export type DispatcherEnv = Readonly<Record<string, string | undefined>>;

/** Options of {@link Dispatcher.fromEnv}: defaults for unset variables, and the rest. */
export type DispatcherEnvOptions<J> = Omit<
  DispatcherOptions<J>,
  'handler' | 'maxWorkers' | 'maxQueue'
> & {
  /** Used when `MAX_WORKERS` is unset or empty. */
  maxWorkers?: number | undefined;
  /** Used when `MAX_QUEUE` is unset or empty. */
  maxQueue?: number | undefined;
};

/**
 * A job queue of `maxQueue` jobs served by `maxWorkers` workers: the
 * tutorial's job dispatcher. `submit(job)` queues a job; a dispatch loop
 * takes an idle worker's job channel from the pool of registered workers,
 * takes the next job from the queue, and sends the job to that worker,
 * which runs `handler(job, signal)` and registers itself again. Jobs start
 * in submission order; they may finish in any order.
 *
 * Backpressure: while `maxQueue` jobs wait, `submit` waits (callers queue
 * in call order) and `trySubmit` returns false. Unlike the tutorial, which
 * starts a goroutine per job and so drains the queue into an unbounded
 * set, the loop takes a job only once a worker is idle, so at most
 * `maxQueue` jobs wait and `maxWorkers` run.
 *
 * Stop: `stop({ drain: true })` (the default) closes the queue, lets the
 * workers process every queued job, then stops them. `stop({ drain: false
 * })` aborts: the signal of every running handler aborts, no further job
 * starts, and queued jobs are handed back (to `onUndelivered`, and in the
 * array `stop` resolves with). Either way, submits still waiting for room
 * reject with `ChannelClosedError` (their jobs were never accepted), and
 * `stop` settles once every worker has returned. Abort: the dispatcher's
 * `signal` acts as `stop({ drain: false })`; a `submit` whose own signal
 * aborts is withdrawn and rejects with `signal.reason`.
 *
 * Error: a handler failure (a throw or a rejection) never stops a worker.
 * It goes to `onError(error, job)` when given; otherwise it is kept, and
 * `stop()` rejects with an `AggregateError` of every failure, which also
 * carries the undelivered jobs as `undelivered`. A handler that rejects with
 * the abort reason after an abort obeyed it and is no failure. Keep the
 * promise of `stop()`: kept failures are reported only there.
 *
 * Limits: a handler that awaits `stop()` of its own dispatcher never
 * finishes, since `stop` waits for that handler (as a goroutine waiting on
 * its own WaitGroup). Handlers share one signal (see {@link JobHandler}).
 *
 * @example
 * ```ts
 * const done: number[] = [];
 * const dispatcher = new Dispatcher<number>({
 *   maxWorkers: 2,
 *   maxQueue: 4,
 *   handler: async (id) => {
 *     await null;
 *     done.push(id);
 *   },
 * });
 * for (const id of [1, 2, 3, 4, 5]) await dispatcher.submit(id);
 * await dispatcher.stop({ drain: true });
 * console.log(done.sort()); // [ 1, 2, 3, 4, 5 ]
 * ```
 * @example
 * ```ts
 * const dispatcher = new Dispatcher<string>({
 *   maxWorkers: 1,
 *   maxQueue: 3,
 *   handler: (_job, signal) =>
 *     new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
 * });
 * for (const job of ['a', 'b', 'c']) await dispatcher.submit(job);
 * await sleep(1);
 * console.log(dispatcher.running, dispatcher.queued); // 1 2
 * console.log(await dispatcher.stop({ drain: false })); // [ 'b', 'c' ]
 * ```
 * @example
 * ```ts
 * const env = { MAX_WORKERS: '3', MAX_QUEUE: '10' };
 * const dispatcher = Dispatcher.fromEnv((job: string) => job.length, env);
 * console.log(dispatcher.maxWorkers, dispatcher.maxQueue); // 3 10
 * await dispatcher.stop();
 * try {
 *   Dispatcher.fromEnv(() => {}, { MAX_WORKERS: 'lots', MAX_QUEUE: '1' });
 * } catch (error) {
 *   console.log((error as Error).message); // Dispatcher.fromEnv(): MAX_WORKERS must be a positive integer, got "lots"
 * }
 * ```
 * @throws RangeError if `maxWorkers` or `maxQueue` is not a positive
 * integer; TypeError if `handler`, a hook, `signal` or `options` is of the
 * wrong kind (synchronously).
 * @see WorkerPool
 */
export class Dispatcher<J> {
  /** The job queue, capacity `maxQueue`; closed once, when stopping starts. */
  private readonly queue: Channel<J>;
  /** Idle workers' job channels (a channel of channels); each worker adds its own. */
  private readonly pool: Channel<Channel<J>>;
  /** Every worker's job channel; fixed. The loop closes them all when it ends. */
  private readonly jobChannels: Channel<J>[] = [];
  /** Aborted by `stop({ drain: false })` or the signal; handed to every handler. */
  private readonly controller = new AbortController();
  /** An idle worker's channel the loop took while it waits for a job; set by the loop. */
  private held: Channel<J> | undefined = undefined;
  /** Handlers running now; changed by workers. */
  private runningCount = 0;
  /** Jobs taken from the queue but handed back by the abort; appended by loop and workers. */
  private readonly returned: J[] = [];
  /** Handler failures kept for `stop()` (no `onError`); appended by workers. */
  private readonly failures: unknown[] = [];
  /** Resolves when the loop and every worker have returned; set once. */
  private readonly finished: Promise<void>;
  /** The promise every `stop()` returns; set when stopping starts. */
  private stopResult: Promise<J[]> | undefined = undefined;
  /** The job handler; fixed. */
  private readonly handler: JobHandler<J>;
  /** The failure hook; fixed. */
  private readonly onError: ((error: unknown, job: J) => void) | undefined;
  /** The undelivered-job hook; fixed. */
  private readonly onUndelivered: ((job: J) => void) | undefined;
  /** The caller's signal, listened to until stopping starts; fixed. */
  private readonly signal: AbortSignal | undefined;
  /** How many workers run; fixed. */
  readonly maxWorkers: number;
  /** Capacity of the job queue; fixed. */
  readonly maxQueue: number;

  constructor(options: DispatcherOptions<J>) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`Dispatcher(): options must be an object, got ${describeValue(options)}`);
    }
    const { maxWorkers, maxQueue, handler, onError, onUndelivered, signal } = options;
    checkSizes('Dispatcher()', maxWorkers, maxQueue);
    checkFunction('Dispatcher()', 'handler', handler);
    if (onError !== undefined) checkFunction('Dispatcher()', 'onError', onError);
    if (onUndelivered !== undefined) checkFunction('Dispatcher()', 'onUndelivered', onUndelivered);
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError(
        `Dispatcher(): signal must be an AbortSignal, got ${describeValue(signal)}`,
      );
    }
    this.maxWorkers = maxWorkers;
    this.maxQueue = maxQueue;
    this.handler = handler;
    this.onError = onError;
    this.onUndelivered = onUndelivered;
    this.signal = signal;
    this.queue = chan<J>(maxQueue);
    this.pool = chan<Channel<J>>(maxWorkers);

    const running: Promise<void>[] = [];
    for (let i = 0; i < maxWorkers; i++) {
      const jobs = chan<J>();
      this.jobChannels.push(jobs);
      running.push(this.runWorker(jobs));
    }
    running.push(this.dispatchLoop());
    this.finished = Promise.all(running).then(noop);
    if (signal !== undefined) {
      if (signal.aborted) this.aborted();
      else signal.addEventListener('abort', this.aborted, { once: true });
    }
  }

  /**
   * Makes a dispatcher sized from the environment, as the tutorial reads
   * `MAX_WORKERS` and `MAX_QUEUE`: only when the caller asks, and from
   * `env` (`process.env` by default). An unset or empty variable falls
   * back to `options.maxWorkers` / `options.maxQueue`. See the class
   * examples.
   *
   * @throws RangeError naming the variable and its value if it is not a
   * positive integer, or is unset with no fallback; TypeError as the
   * constructor does.
   */
  static fromEnv<J>(
    handler: JobHandler<J>,
    env: DispatcherEnv = defaultEnv(),
    options?: DispatcherEnvOptions<J>,
  ): Dispatcher<J> {
    const call = 'Dispatcher.fromEnv()';
    checkFunction(call, 'handler', handler);
    if (typeof env !== 'object' || env === null) {
      throw new TypeError(`${call}: env must be an object, got ${describeValue(env)}`);
    }
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw new TypeError(`${call}: options must be an object, got ${describeValue(options)}`);
    }
    const maxWorkers = readSize(call, env, 'MAX_WORKERS', options?.maxWorkers);
    const maxQueue = readSize(call, env, 'MAX_QUEUE', options?.maxQueue);
    return new Dispatcher<J>({ ...options, maxWorkers, maxQueue, handler });
  }

  /** Jobs waiting in the queue now. */
  get queued(): number {
    return this.queue.length;
  }

  /** Workers registered as idle now: in the pool, or held by the loop waiting for a job. */
  get idleWorkers(): number {
    return this.pool.length + (this.held === undefined ? 0 : 1);
  }

  /** Handlers running now. */
  get running(): number {
    return this.runningCount;
  }

  /** Whether stopping has started: `stop()` was called or the signal aborted. */
  get closed(): boolean {
    return this.queue.closed;
  }

  /**
   * Queues `job`, waiting while the queue is full. Resolves once the job is
   * accepted (in the queue, or taken by the dispatch loop), not when it has
   * been handled.
   *
   * @throws rejects with `ChannelClosedError` if the dispatcher is stopping
   * or starts stopping while the call waits (the job was not accepted);
   * with `signal.reason` if `signal` aborts first.
   */
  async submit(job: J, options?: WaitOptions): Promise<void> {
    if (this.queue.closed) {
      throw new ChannelClosedError('Dispatcher.submit(): dispatcher is stopped');
    }
    try {
      await this.queue.send(job, options);
    } catch (error) {
      if (!(error instanceof ChannelClosedError)) throw error;
      throw new ChannelClosedError(
        'Dispatcher.submit(): dispatcher stopped while the submit waited',
        { cause: error },
      );
    }
  }

  /**
   * Queues `job` only if that needs no waiting; returns whether it did.
   *
   * @throws ChannelClosedError if the dispatcher is stopping.
   */
  trySubmit(job: J): boolean {
    if (this.queue.closed) {
      throw new ChannelClosedError('Dispatcher.trySubmit(): dispatcher is stopped');
    }
    return this.queue.trySend(job);
  }

  /**
   * Stops the dispatcher and resolves once the loop and every worker have
   * returned, with the jobs handed back unprocessed (always empty when
   * draining). With `drain: true` (the default) every queued job is
   * processed first; with `drain: false` the dispatcher aborts (see the
   * class). A later call returns the same promise; one with `drain: false`
   * turns a drain in progress into an abort.
   *
   * @throws TypeError if `options` is not an object or `drain` is not a
   * boolean (synchronously);
   * rejects with an `AggregateError` of the kept handler failures (no
   * `onError`), carrying the undelivered jobs as `undelivered`.
   */
  stop(options?: DispatcherStopOptions): Promise<J[]> {
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw new TypeError(
        `Dispatcher.stop(): options must be an object, got ${describeValue(options)}`,
      );
    }
    const drain = options?.drain ?? true;
    if (typeof drain !== 'boolean') {
      throw new TypeError(
        `Dispatcher.stop(): drain must be a boolean, got ${describeValue(drain)}`,
      );
    }
    if (!drain) this.abort(options?.reason);
    if (this.stopResult === undefined) this.stopResult = this.startStop();
    return this.stopResult;
  }

  /** Starts stopping: closes the queue and settles once everything returned. */
  private async startStop(): Promise<J[]> {
    this.signal?.removeEventListener('abort', this.aborted);
    // Closing rejects submits waiting for room; the loop drains the rest.
    if (!this.queue.closed) this.queue.close();
    await this.finished;

    // The jobs the loop or a worker held at the abort came before the rest.
    const undelivered = this.returned.slice();
    for (let next = this.queue.tryReceive(); next?.ok === true; next = this.queue.tryReceive()) {
      undelivered.push(next.value);
    }
    if (this.onUndelivered !== undefined) {
      for (const job of undelivered) callHook(this.onUndelivered, job);
    }
    if (this.failures.length > 0) {
      const count = this.failures.length;
      const failure = new AggregateError(
        this.failures.slice(),
        `Dispatcher.stop(): ${count} ${count === 1 ? 'job' : 'jobs'} failed`,
      );
      throw Object.assign(failure, { undelivered }) as DispatcherFailure<J>;
    }
    return undelivered;
  }

  /** Aborts handlers and the loop; idempotent. An undefined `reason` means the default one. */
  private abort(reason: unknown): void {
    if (this.controller.signal.aborted) return;
    // Abort before closing: the loop's parked receive must be withdrawn,
    // not handed a buffered job, which the close would leave it free to take.
    if (reason === undefined) this.controller.abort();
    else this.controller.abort(reason);
  }

  /**
   * The dispatch loop: takes an idle worker, then a job, and sends the job
   * to that worker. Ends when the queue is closed and drained, or at the
   * abort; then closes every worker's job channel so idle workers return.
   */
  private async dispatchLoop(): Promise<void> {
    const signal = this.controller.signal;
    try {
      for (;;) {
        // Worker first, then job: no job ever waits outside the queue for
        // a worker, so `queued` and the handback see every waiting job.
        const worker = await this.pool.receive({ signal });
        this.held = worker;
        const next = await this.queue.receiveOk({ signal });
        this.held = undefined;
        if (!next.ok) return;
        try {
          await worker.send(next.value, { signal });
        } catch (error) {
          // Only the abort withdraws this send; the job was not delivered.
          this.returned.push(next.value);
          throw error;
        }
      }
    } catch (error) {
      // The abort is the only rejection here: nothing else closes or
      // aborts the pool, the queue (which reports its close as ok: false)
      // or the worker channels while the loop runs.
      if (!signal.aborted) throw error;
    } finally {
      this.held = undefined;
      for (const jobs of this.jobChannels) jobs.close();
    }
  }

  /** One worker: registers idle, takes a job, runs the handler, repeats. */
  private async runWorker(jobs: Channel<J>): Promise<void> {
    const signal = this.controller.signal;
    while (!signal.aborted) {
      // Never waits: the pool has room for every worker, and this worker
      // is in it at most once (it registers only after taking a job).
      this.pool.trySend(jobs);
      let next;
      try {
        next = await jobs.receiveOk({ signal });
      } catch {
        return;
      }
      if (!next.ok) return;
      const job = next.value;
      // The abort came between the handoff and this continuation: hand
      // the job back rather than start it with an aborted signal.
      if (signal.aborted) {
        this.returned.push(job);
        return;
      }
      this.runningCount++;
      await go(this.handler, job, signal).then(noop, (error: unknown) =>
        this.jobFailed(job, error),
      );
      this.runningCount--;
    }
  }

  private jobFailed(job: J, error: unknown): void {
    const signal = this.controller.signal;
    if (signal.aborted && error === signal.reason) return;
    if (this.onError !== undefined) callHook((e: unknown) => this.onError?.(e, job), error);
    else this.failures.push(error);
  }

  /** The listener on the caller's signal. */
  private readonly aborted = (): void => {
    void this.stop({ drain: false, reason: (this.signal as AbortSignal).reason }).then(noop, noop);
  };
}

/**
 * Checks the two sizes of a dispatcher for the call named `call`. Shared
 * with the `dispatch` operator, so it reports its own name.
 */
export function checkSizes(call: string, maxWorkers: unknown, maxQueue: unknown): void {
  if (typeof maxWorkers !== 'number' || !Number.isInteger(maxWorkers) || maxWorkers < 1) {
    throw new RangeError(
      `${call}: maxWorkers must be a positive integer, got ${describeValue(maxWorkers)}`,
    );
  }
  if (typeof maxQueue !== 'number' || !Number.isInteger(maxQueue) || maxQueue < 1) {
    throw new RangeError(
      `${call}: maxQueue must be a positive integer, got ${describeValue(maxQueue)}`,
    );
  }
}

function checkFunction(call: string, name: string, value: unknown): void {
  if (typeof value !== 'function') {
    throw new TypeError(`${call}: ${name} must be a function, got ${describeValue(value)}`);
  }
}

/** Reads one size variable, falling back to `fallback` when it is unset or empty. */
function readSize(
  call: string,
  env: DispatcherEnv,
  name: string,
  fallback: number | undefined,
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') {
    if (fallback === undefined) {
      throw new RangeError(
        `${call}: ${name} must be a positive integer, got ${describeValue(raw)}`,
      );
    }
    return fallback;
  }
  const value = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${call}: ${name} must be a positive integer, got ${describeValue(raw)}`);
  }
  return value;
}

/** `process.env` where there is one (Node), else no variables. */
function defaultEnv(): DispatcherEnv {
  const host = globalThis as { process?: { env?: DispatcherEnv } };
  return host.process?.env ?? {};
}

function noop(): void {}
