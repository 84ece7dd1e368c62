/**
 * Timers and tickers: Go's `time.After`, `time.Timer`, `time.Ticker` and
 * `time.Sleep`, measured by an injectable {@link Clock}.
 *
 * Each timer and ticker owns a channel of capacity 1. Firing stores the
 * clock's time in that buffer without waiting (a parked receiver takes it at
 * once). `stop()` and `reset()` empty the buffer before they return, which
 * gives Go 1.23's guarantee: after either call, no value from before it can
 * be received.
 *
 *     timer:  armed ──fires──▶ value buffered ──received──▶ expired
 *               │                   │
 *               └──stop()──▶ stopped ◀──stop() (buffer emptied)
 *     reset(ms) from any state empties the buffer and re-arms.
 *
 * Invariants (hold between any two public calls):
 * 1. A timer or ticker has at most one armed clock callback; a stopped one
 *    has none, so it holds no host timer and never keeps a process alive.
 * 2. An armed timer's buffer is empty: a value is buffered only from the
 *    moment it fires until it is received, or the timer stopped or reset.
 * 3. A ticker's buffer holds at most one tick; a tick that finds it full is
 *    dropped, so a slow receiver sees fewer ticks, never a backlog.
 * 4. Since its last start or reset, a ticker's deadlines are
 *    `start + k * period`: a callback that runs late never delays later ticks.
 */
import { chan, describeValue, type Channel, type ReceiveChannel } from './channel.js';
import { systemClock, type Clock } from './clock.js';

// ─── Public types ───────────────────────────────────────────────────────────

/** Options of {@link timer} and {@link ticker}. */
export interface TimerOptions {
  /** The clock that measures the delay; {@link systemClock} by default. */
  clock?: Clock | undefined;
}

/** Options of {@link after} and {@link sleep}. */
export interface DelayOptions extends TimerOptions {
  /** Aborting the signal clears the pending timer. */
  signal?: AbortSignal | undefined;
}

/**
 * A single-shot timer made by {@link timer}, as Go's `*time.Timer`.
 * `channel` receives the clock's time once, when the timer fires.
 */
export interface Timer {
  /**
   * Receives the clock's time when the timer fires. Never closed. While a
   * fired value waits here, `length` reads 1 (Go 1.23 reports 0).
   */
  readonly channel: ReceiveChannel<number>;
  /**
   * Stops the timer. Returns true if this call stopped it before its value
   * was received: it was pending, or it had fired and the value still
   * waited in `channel` (that value is discarded). Returns false if it was
   * already stopped or its value was received. Afterwards nothing more
   * arrives on `channel`, and no host timer is held.
   */
  stop(): boolean;
  /**
   * Re-arms the timer to fire `ms` milliseconds from now (a negative `ms`
   * counts as 0), discarding any value still waiting in `channel`. Returns
   * what `stop()` would have returned.
   *
   * @throws TypeError if `ms` is not a number; RangeError if it is NaN. The
   * timer is unchanged then.
   */
  reset(ms: number): boolean;
}

/**
 * A periodic ticker made by {@link ticker}, as Go's `*time.Ticker`.
 * `channel` receives the clock's time every period.
 */
export interface Ticker {
  /**
   * Receives the clock's time at each tick. Holds at most one tick; ticks
   * that find it full are dropped. Never closed.
   */
  readonly channel: ReceiveChannel<number>;
  /**
   * Stops the ticker and discards a tick still waiting in `channel`. No
   * tick arrives afterwards and no host timer is held. Safe to call again.
   */
  stop(): void;
  /**
   * Restarts the ticker with a new period, counted from now, discarding a
   * tick still waiting in `channel`. Works on a stopped ticker too.
   *
   * @throws TypeError if `period` is not a number; RangeError if it is not
   * positive. The ticker is unchanged then.
   */
  reset(period: number): void;
}

// ─── Argument checks ────────────────────────────────────────────────────────

/** Checks a delay; returns it with a negative value raised to 0, as Go does. */
function checkDelay(call: string, ms: unknown): number {
  if (typeof ms !== 'number') {
    throw new TypeError(`${call}: ms must be a number, got ${describeValue(ms)}`);
  }
  if (Number.isNaN(ms)) {
    throw new RangeError(`${call}: ms must not be NaN, got NaN`);
  }
  return ms < 0 ? 0 : ms;
}

function checkPeriod(call: string, period: unknown): number {
  if (typeof period !== 'number') {
    throw new TypeError(`${call}: period must be a number, got ${describeValue(period)}`);
  }
  if (!(period > 0)) {
    throw new RangeError(`${call}: period must be a positive number, got ${period}`);
  }
  return period;
}

function checkOptions(call: string, options: unknown): DelayOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${call}: options must be an object, got ${describeValue(options)}`);
  }
  const { clock, signal } = options as DelayOptions;
  if (
    clock !== undefined &&
    (typeof clock !== 'object' ||
      clock === null ||
      typeof clock.now !== 'function' ||
      typeof clock.setTimeout !== 'function' ||
      typeof clock.clearTimeout !== 'function')
  ) {
    throw new TypeError(
      `${call}: clock must have now, setTimeout and clearTimeout methods, ` +
        `got ${describeValue(clock)}`,
    );
  }
  if (
    signal !== undefined &&
    (typeof signal !== 'object' || signal === null || typeof signal.addEventListener !== 'function')
  ) {
    throw new TypeError(`${call}: signal must be an AbortSignal, got ${describeValue(signal)}`);
  }
  return options as DelayOptions;
}

// ─── after ──────────────────────────────────────────────────────────────────

/**
 * Returns a channel that receives the clock's time (`clock.now()`) once,
 * `ms` milliseconds from now, as Go's `time.After`. A negative `ms` counts as
 * 0; `Infinity` never fires and arms nothing.
 *
 * Close: the channel is never closed, as in Go: after its one value it stays
 * open and empty, so a second receive waits forever. (Closing it would make
 * a select case on it fire again with `ok: false`, which reads like a second
 * timeout.) Backpressure: none; the value waits in the channel's one-slot
 * buffer until received. Abort: aborting `signal` clears the timer, and the
 * channel then never receives; pass the same signal to the receive or select
 * that waits on it, so that wait ends too.
 *
 * In a select loop prefer {@link onTimeout}: its timer is armed only while
 * that select waits and is cleared when it settles, whereas every `after`
 * keeps its timer (and the process alive) until it fires.
 *
 * @example
 * ```ts
 * const results = chan<string>();
 * const r = await select({ got: onReceive(results), late: onReceive(after(5)) });
 * console.log(r.key); // late
 * ```
 * @throws TypeError if `ms` is not a number or an option has the wrong type;
 * RangeError if `ms` is NaN.
 * @see timer
 * @see onTimeout
 */
export function after(ms: number, options?: DelayOptions): ReceiveChannel<number> {
  const delay = checkDelay('after()', ms);
  const { clock = systemClock, signal } = checkOptions('after()', options);
  const channel = chan<number>(1);
  if (delay === Infinity || (signal !== undefined && signal.aborted)) return channel.receiveOnly;

  // Only an abort calls this, and no abort can come before `handle` is set.
  const onAbort = (): void => clock.clearTimeout(handle);
  // Listen before arming: a clock may run a zero delay synchronously, and the
  // callback must find the listener in place to remove it.
  if (signal !== undefined) signal.addEventListener('abort', onAbort, { once: true });
  const handle = clock.setTimeout(() => {
    if (signal !== undefined) signal.removeEventListener('abort', onAbort);
    if (!channel.closed) channel.trySend(clock.now());
  }, delay);
  return channel.receiveOnly;
}

// ─── timer ──────────────────────────────────────────────────────────────────

class TimerImpl implements Timer {
  /** The one-slot buffer the timer fires into; fixed. */
  private readonly buffer: Channel<number>;
  /** Whether a clock callback is armed; set by `arm`, cleared by `fire` and `stop`. */
  private isArmed = false;
  /** The armed callback's clock handle; meaningful only while armed. */
  private handle: unknown = undefined;

  constructor(
    /** The clock that measures the delays; fixed. */
    private readonly clock: Clock,
    ms: number,
  ) {
    this.buffer = chan<number>(1);
    this.arm(ms);
  }

  get channel(): ReceiveChannel<number> {
    return this.buffer.receiveOnly;
  }

  stop(): boolean {
    if (this.isArmed) {
      this.isArmed = false;
      this.clock.clearTimeout(this.handle);
      this.handle = undefined;
      return true;
    }
    // Fired: a value still buffered was not received, so the timer had not
    // expired in Go 1.23's terms. Discarding it is the no-stale-value rule.
    const stale = this.buffer.tryReceive();
    return stale !== undefined && stale.ok;
  }

  reset(ms: number): boolean {
    const delay = checkDelay('timer.reset()', ms);
    const wasActive = this.stop();
    this.arm(delay);
    return wasActive;
  }

  /** Arms the callback. Precondition: not armed and the buffer is empty. */
  private arm(ms: number): void {
    this.isArmed = true;
    // Infinity never fires: the timer stays pending without a clock callback.
    if (ms === Infinity) return;
    const handle = this.clock.setTimeout(this.fire, ms);
    // A clock may run a zero delay synchronously; then the timer has already
    // fired and the handle is spent.
    if (this.isArmed) this.handle = handle;
  }

  /** The clock callback. */
  private readonly fire = (): void => {
    this.isArmed = false;
    this.handle = undefined;
    // A user may have cancelled the channel through its receive view.
    if (!this.buffer.closed) this.buffer.trySend(this.clock.now());
  };
}

/**
 * Makes a single-shot timer that sends the clock's time on `channel` once,
 * `ms` milliseconds from now, as Go's `time.NewTimer` (with Go 1.23
 * semantics). A negative `ms` counts as 0; `Infinity` never fires. `stop()`
 * cancels it and `reset(ms)` re-arms it; after either returns, no value from
 * before the call is received, so no drain step is needed.
 *
 * Close: the channel is never closed. Backpressure: none; the fired value
 * waits in the channel's one-slot buffer until received, stopped or reset.
 * Abort: call `stop()`; a stopped timer holds no host timer, so it never
 * keeps a Node process alive.
 *
 * @example
 * ```ts
 * const t = timer(1000);
 * console.log(t.stop()); // true
 * console.log(t.stop()); // false
 * console.log(t.channel.tryReceive()); // undefined
 * ```
 * @throws TypeError if `ms` is not a number or `clock` is not a clock;
 * RangeError if `ms` is NaN.
 * @see after
 * @see ticker
 */
export function timer(ms: number, options?: TimerOptions): Timer {
  const delay = checkDelay('timer()', ms);
  const { clock = systemClock } = checkOptions('timer()', options);
  return new TimerImpl(clock, delay);
}

// ─── ticker ─────────────────────────────────────────────────────────────────

class TickerImpl implements Ticker {
  /** The one-slot buffer ticks go into; fixed. */
  private readonly buffer: Channel<number>;
  /** Time between ticks; set by `start`. */
  private period = 0;
  /** When the armed tick is due, in clock time; set by `start` and `tick`. */
  private deadline = 0;
  /** Whether a clock callback is armed; set by `start` and `tick`, cleared by `stop`. */
  private isArmed = false;
  /** The armed callback's clock handle; meaningful only while armed. */
  private handle: unknown = undefined;

  constructor(
    /** The clock that measures the periods; fixed. */
    private readonly clock: Clock,
    period: number,
  ) {
    this.buffer = chan<number>(1);
    this.start(period);
  }

  get channel(): ReceiveChannel<number> {
    return this.buffer.receiveOnly;
  }

  stop(): void {
    if (this.isArmed) {
      this.isArmed = false;
      this.clock.clearTimeout(this.handle);
      this.handle = undefined;
    }
    this.buffer.tryReceive();
  }

  reset(period: number): void {
    checkPeriod('ticker.reset()', period);
    this.stop();
    this.start(period);
  }

  /** Arms the first tick. Precondition: not armed. */
  private start(period: number): void {
    this.period = period;
    if (period === Infinity) return;
    this.deadline = this.clock.now() + period;
    this.isArmed = true;
    this.handle = this.clock.setTimeout(this.tick, period);
  }

  /** The clock callback. */
  private readonly tick = (): void => {
    const now = this.clock.now();
    const period = this.period;
    // The next deadline follows the previous one, not the time this callback
    // ran, so lateness does not accumulate. Deadlines already passed (the
    // callback ran more than a period late) are skipped, as Go does.
    let next = this.deadline + period;
    if (next <= now) next += period * (Math.floor((now - next) / period) + 1);
    this.deadline = next;
    // Re-arm before sending: the send wakes a receiver, and the state must be
    // whole before any other code can call stop() or reset().
    this.handle = this.clock.setTimeout(this.tick, next - now);
    if (!this.buffer.closed) this.buffer.trySend(now);
  };
}

/**
 * Makes a ticker that sends the clock's time on `channel` every `period`
 * milliseconds, as Go's `time.NewTicker` (with Go 1.23 semantics). Ticks are
 * scheduled from the previous deadline, so they do not drift; a callback
 * that runs late skips the deadlines it missed. `Infinity` never ticks.
 *
 * Backpressure: the channel holds one tick; while it is full, later ticks
 * are dropped, so a slow receiver gets the oldest unreceived tick and then
 * the next one due. Close: the channel is never closed. Abort: call
 * `stop()`; a stopped ticker holds no host timer. After `stop()` or
 * `reset()` returns, no tick from before the call is received.
 *
 * @example
 * ```ts
 * const t = ticker(1);
 * await t.channel.receive();
 * await t.channel.receive();
 * t.stop();
 * console.log(t.channel.tryReceive()); // undefined
 * ```
 * @throws TypeError if `period` is not a number or `clock` is not a clock;
 * RangeError if `period` is not positive (zero, negative or NaN).
 * @see timer
 */
export function ticker(period: number, options?: TimerOptions): Ticker {
  checkPeriod('ticker()', period);
  const { clock = systemClock } = checkOptions('ticker()', options);
  return new TickerImpl(clock, period);
}

// ─── sleep ──────────────────────────────────────────────────────────────────

/**
 * Resolves after `ms` milliseconds of the clock's time, as Go's
 * `time.Sleep`. A negative `ms` counts as 0; `Infinity` never resolves (but
 * can still be aborted).
 *
 * Abort: rejects with `signal.reason` and clears the timer; an already
 * aborted signal rejects at once and arms nothing.
 *
 * @example
 * ```ts
 * const steps: string[] = [];
 * const done = sleep(1).then(() => steps.push('slept'));
 * steps.push('sleeping');
 * await done;
 * console.log(steps.join(' > ')); // sleeping > slept
 * ```
 * @throws TypeError (synchronously) if `ms` is not a number or an option has
 * the wrong type; RangeError if `ms` is NaN.
 * @see after
 */
export function sleep(ms: number, options?: DelayOptions): Promise<void> {
  const delay = checkDelay('sleep()', ms);
  const { clock = systemClock, signal } = checkOptions('sleep()', options);
  if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);

  return new Promise<void>((resolve, reject) => {
    // Only an abort calls this, and no abort can come before `handle` is set.
    const onAbort = (): void => {
      if (delay !== Infinity) clock.clearTimeout(handle);
      reject((signal as AbortSignal).reason);
    };
    // Listen before arming: a clock may run a zero delay synchronously.
    if (signal !== undefined) signal.addEventListener('abort', onAbort, { once: true });
    if (delay === Infinity) return;
    const handle = clock.setTimeout(() => {
      if (signal !== undefined) signal.removeEventListener('abort', onAbort);
      resolve();
    }, delay);
  });
}
