/**
 * `select`: wait on several channel operations and perform exactly one.
 *
 * Invariants:
 * 1. A select performs at most one of its cases; every other case has had
 *    no effect by the time its promise settles.
 * 2. A parked select is one waiter per channel case, all sharing one state;
 *    when one case fires, the others are withdrawn synchronously, before any
 *    other code runs, and its timers and abort listener are cleared.
 * 3. A timer is armed only when the select parks, never on the ready path.
 * 4. Cases (cases.ts) are immutable descriptions; one case object may be
 *    reused by any number of selects, concurrently.
 */
import { CLOSED } from './internal/sentinels.js';
import {
  Case,
  KIND_DEFAULT,
  KIND_RECEIVE,
  KIND_SEND,
  KIND_TIMEOUT,
  type ReceiveCase,
  type SelectCase,
  type SendCase,
  type TimeoutCase,
} from './cases.js';
import { ChannelImpl, describeValue } from './channel.js';
import type { Clock } from './clock.js';
import type { ChannelClosedError } from './errors.js';
import { assertInternal } from './internal/assert.js';
import { Waiter, promiseInto } from './internal/waiter.js';

// ─── Results and options ────────────────────────────────────────────────────

/** The result of a select: which case fired and, for a receive, what it got. */
export type SelectResult<C extends Record<string, SelectCase>> = {
  [K in keyof C & string]: C[K] extends ReceiveCase<infer T>
    ? { key: K; value: T; ok: true } | { key: K; value: undefined; ok: false }
    : { key: K };
}[keyof C & string];

/** Options of {@link select}. */
export interface SelectOptions {
  /** Aborting withdraws every case; the select rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
  /**
   * The random source for choosing among ready cases, returning numbers in
   * [0, 1); `Math.random` by default. Pass a seeded one for reproducible runs.
   */
  random?: (() => number) | undefined;
  /**
   * Choose the first ready case in declaration order instead of at random.
   * Faster and predictable, but a busy early case can starve later ones.
   */
  biased?: boolean | undefined;
}

// ─── Parked state ───────────────────────────────────────────────────────────

/** One channel case of a parked select, queued on that channel. */
class CaseWaiter extends Waiter {
  constructor(
    /** The select this case belongs to; fixed. */
    readonly state: SelectState,
    /** The case's key in the cases object; fixed. */
    readonly key: string,
    /** The channel whose queue holds this waiter; fixed. */
    readonly channel: ChannelImpl<unknown>,
  ) {
    super();
  }

  sent(): void {
    this.state.settle(this, { key: this.key });
  }

  received(value: unknown): void {
    this.state.settle(this, { key: this.key, value, ok: true });
  }

  closedReceive(): void {
    // A select reports every close as ok: false, with or without an error.
    this.state.settle(this, { key: this.key, value: undefined, ok: false });
  }

  closedSend(error: ChannelClosedError): void {
    this.state.fail(this, error);
  }
}

/** A parked select: its case waiters, timers and abort listener. */
class SelectState {
  resolve: (value: never) => void = noop;
  reject: (reason: unknown) => void = noop;
  /** Channel case waiters; each is queued until the select settles. */
  readonly waiters: CaseWaiter[] = [];
  /** Armed timers as clock, handle pairs; cleared when the select settles. */
  timers: unknown[] | null = null;
  /** Set once when the select settles; later wake-ups are ignored. */
  private isSettled = false;

  constructor(
    /** The abort signal listened to while parked; fixed. */ readonly signal:
      AbortSignal | undefined,
  ) {}

  /** A case fired; `winner` (if a channel case) was already dequeued by its channel. */
  settle(winner: CaseWaiter | null, result: object): void {
    assertInternal(!this.isSettled, 'a settled select was woken');
    this.withdraw(winner);
    (this.resolve as (value: object) => void)(result);
  }

  fail(winner: CaseWaiter | null, error: unknown): void {
    assertInternal(!this.isSettled, 'a settled select was failed');
    this.withdraw(winner);
    this.reject(error);
  }

  /** Whether the select has settled. */
  get settled(): boolean {
    return this.isSettled;
  }

  /** Arms a timeout case. Precondition: not settled. */
  arm(key: string, timeout: TimeoutCase): void {
    const handle = timeout.clock.setTimeout(() => this.settle(null, { key }), timeout.ms);
    // A clock that fired synchronously has settled the select already.
    if (!this.isSettled) (this.timers ??= []).push(timeout.clock, handle);
  }

  /** The abort listener. */
  handleEvent(): void {
    this.fail(null, (this.signal as AbortSignal).reason);
  }

  /**
   * Removes every case but `winner` from its channel, clears the timers and
   * the abort listener. Runs synchronously in the waking operation, so no
   * other code can observe a half-parked select (invariant 2).
   */
  private withdraw(winner: CaseWaiter | null): void {
    this.isSettled = true;
    for (const waiter of this.waiters) {
      if (waiter !== winner && waiter.queue !== null) waiter.queue.remove(waiter);
    }
    const timers = this.timers;
    if (timers !== null) {
      for (let i = 0; i < timers.length; i += 2) {
        (timers[i] as Clock).clearTimeout(timers[i + 1]);
      }
      this.timers = null;
    }
    if (this.signal !== undefined) this.signal.removeEventListener('abort', this);
  }
}

function noop(): void {}

// ─── select ─────────────────────────────────────────────────────────────────

/**
 * Waits until one of `cases` can proceed, performs it, and resolves with
 * which one (Go's `select`). Cases are an object of named cases made by
 * {@link onReceive}, {@link onSend}, {@link onTimeout} and {@link onDefault};
 * the result's `key` names the case chosen, and is typed as a discriminated
 * union, so `switch (r.key)` narrows `r.value` for receive cases.
 *
 * 1. If several cases are ready, one is chosen uniformly at random (or the
 *    first, with `biased`). 2. If none is ready and there is a default case,
 *    it is chosen. 3. Otherwise the select waits on every case; the first to
 *    fire wins and every other case is withdrawn at once, with no effect.
 *
 * Close: a receive case on a closed, drained channel is ready with
 * `ok: false`; a chosen send case on a closed channel rejects with
 * `ChannelClosedError`. Abort: the select withdraws and rejects with
 * `signal.reason`. An empty cases object waits forever (Go's `select {}`).
 *
 * @example
 * ```ts
 * const a = chan<number>(1);
 * const b = chan<string>(1);
 * b.trySend('hello');
 * const r = await select({ num: onReceive(a), str: onReceive(b) });
 * switch (r.key) {
 *   case 'num': console.log('number', r.value); break;
 *   case 'str': console.log('string', r.value); break; // string hello
 * }
 * ```
 * @throws TypeError (synchronously) if a case was not made by the case
 * functions, if there are two default cases, or if `cases` is not an object.
 */
export function select<C extends Record<string, SelectCase>>(
  cases: C,
  options?: SelectOptions,
): Promise<SelectResult<C>> {
  if (typeof cases !== 'object' || cases === null) throw badCases(cases);
  // A caller's `random` is drawn first: it is user code, and no user code
  // may run during the scan below, which relies on readiness not changing.
  // Math.random is drawn later, and only when there is a choice to make.
  const draw = options === undefined ? -1 : drawFirst(options);

  // The scan validates every case and counts the ready ones, changing
  // nothing, so a bad case throws before any channel is touched. It keeps
  // the first four ready cases in locals, so the common selects choose
  // without a second pass.
  let readyCount = 0;
  let key0 = '';
  let key1 = '';
  let key2 = '';
  let key3 = '';
  let case0: SelectCase | undefined;
  let case1: SelectCase | undefined;
  let case2: SelectCase | undefined;
  let case3: SelectCase | undefined;
  let defaultKey: string | undefined;
  for (const key in cases) {
    const c: unknown = cases[key];
    const readiness = readinessOf(c);
    if (readiness === READY) {
      if (readyCount === 0) {
        key0 = key;
        case0 = c as SelectCase;
      } else if (readyCount === 1) {
        key1 = key;
        case1 = c as SelectCase;
      } else if (readyCount === 2) {
        key2 = key;
        case2 = c as SelectCase;
      } else if (readyCount === 3) {
        key3 = key;
        case3 = c as SelectCase;
      }
      readyCount++;
    } else if (readiness !== NOT_READY) {
      if (readiness === INVALID) throw badCase(key, c);
      if (defaultKey !== undefined) throw twoDefaults(defaultKey, key);
      defaultKey = key;
    }
  }
  if (readyCount === 0 || options !== undefined) {
    return decide(cases, options, draw, readyCount, key0, case0, defaultKey);
  }
  // Choose uniformly among the ready cases. No user code has run since the
  // scan, so every case it found ready still is.
  let key = key0;
  let chosen = case0 as SelectCase;
  if (readyCount > 1) {
    const pick = Math.floor(Math.random() * readyCount);
    if (pick === 1) {
      key = key1;
      chosen = case1 as SelectCase;
    } else if (pick === 2) {
      key = key2;
      chosen = case2 as SelectCase;
    } else if (pick === 3) {
      key = key3;
      chosen = case3 as SelectCase;
    } else if (pick > 3) {
      return completeNth(cases, pick);
    }
  }
  return complete(key, chosen);
}

/** What the scan of a select found for one case. */
const NOT_READY = 0;
const READY = 1;
const IS_DEFAULT = 2;
const INVALID = 3;

/** Classifies a case for the scan: READY, NOT_READY, IS_DEFAULT or INVALID. */
function readinessOf(c: unknown): number {
  if (!(c instanceof Case)) return INVALID;
  const kind = c.kind;
  // Receive and send cases always carry a channel.
  if (kind === KIND_RECEIVE) {
    const channel = c.channel as ChannelImpl<unknown>;
    return !channel.isNil && channel.canReceive() ? READY : NOT_READY;
  }
  if (kind === KIND_SEND) {
    const channel = c.channel as ChannelImpl<unknown>;
    return !channel.isNil && channel.canSend() ? READY : NOT_READY;
  }
  return kind === KIND_DEFAULT ? IS_DEFAULT : NOT_READY;
}

/**
 * Validates select's options and draws the caller's `random`, if any:
 * the draw in [0, 1), or -1 when there is none.
 */
function drawFirst(options: SelectOptions): number {
  const userRandom = options.random;
  if (userRandom === undefined || options.biased === true) return -1;
  const draw = userRandom();
  if (!(draw >= 0 && draw < 1)) {
    throw new RangeError(`select(): random() must return a number in [0, 1), got ${draw}`);
  }
  return draw;
}

/**
 * The rest of a select after the scan: an abort that came first, the
 * choice among several ready cases, the default case, or parking.
 */
function decide<C extends Record<string, SelectCase>>(
  cases: C,
  options: SelectOptions | undefined,
  draw: number,
  readyCount: number,
  firstKey: string,
  first: SelectCase | undefined,
  defaultKey: string | undefined,
): Promise<SelectResult<C>> {
  const signal = options?.signal;
  // An abort that came first wins over ready cases: the select has no effect.
  if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
  // Perform one ready case, chosen uniformly (or the first, when biased).
  if (readyCount === 1 || (readyCount > 1 && options?.biased === true)) {
    return complete(firstKey, first as SelectCase);
  }
  if (readyCount > 1) {
    return completeNth(cases, Math.floor((draw < 0 ? Math.random() : draw) * readyCount));
  }

  // Nothing is ready; a default case answers at once.
  if (defaultKey !== undefined) {
    return Promise.resolve({ key: defaultKey } as SelectResult<C>);
  }

  // Park on every channel case, then arm the timers, then listen
  // for abort. Timers come after the channel cases because a clock may fire
  // a zero delay synchronously, and the settle must then find every case
  // queued, to withdraw it.
  const state = new SelectState(signal);
  const promise = promiseInto<SelectResult<C>>(state);
  for (const key in cases) {
    const c = cases[key] as SelectCase;
    if (c.kind === KIND_RECEIVE || c.kind === KIND_SEND) {
      const channel = (c as ReceiveCase<unknown>).channel as ChannelImpl<unknown>;
      if (channel.isNil) continue;
      const waiter = new CaseWaiter(state, key, channel);
      state.waiters.push(waiter);
      if (c.kind === KIND_SEND) {
        waiter.value = (c as SendCase<unknown>).value;
        channel.sendq.push(waiter);
      } else {
        channel.recvq.push(waiter);
      }
    }
  }
  for (const key in cases) {
    if (state.settled) break;
    const c = cases[key] as SelectCase;
    if (c.kind === KIND_TIMEOUT && (c as TimeoutCase).ms !== Infinity) {
      state.arm(key, c as TimeoutCase);
    }
  }
  if (signal !== undefined && !state.settled) signal.addEventListener('abort', state);
  return promise;
}

function badCases(cases: unknown): TypeError {
  return new TypeError(`select(): cases must be an object of cases, got ${describeValue(cases)}`);
}

function badCase(key: string, c: unknown): TypeError {
  return new TypeError(
    `select(): case "${key}" must be made by onReceive, onSend, onTimeout or onDefault, ` +
      `got ${describeValue(c)}`,
  );
}

function twoDefaults(first: string, second: string): TypeError {
  return new TypeError(
    `select(): at most one onDefault() case is allowed, got "${first}" and "${second}"`,
  );
}

/** Performs the `n`-th ready case (from 0) in key order. */
function completeNth<C extends Record<string, SelectCase>>(
  cases: C,
  n: number,
): Promise<SelectResult<C>> {
  let skip = n;
  for (const key in cases) {
    const c = cases[key] as SelectCase;
    if (readinessOf(c) === READY && skip-- === 0) return complete(key, c);
  }
  assertInternal(false, 'a ready case disappeared after the scan');
}

/** Performs the case the scan chose. No user code ran since the scan. */
function complete<C extends Record<string, SelectCase>>(
  key: string,
  c: SelectCase,
): Promise<SelectResult<C>> {
  if (c.kind !== KIND_RECEIVE) return completeSend(key, c as SendCase<unknown>);
  const value = ((c as ReceiveCase<unknown>).channel as ChannelImpl<unknown>).poll();
  return Promise.resolve(
    (value === CLOSED
      ? { key, value: undefined, ok: false }
      : { key, value, ok: true }) as SelectResult<C>,
  );
}

/** Performs a send case the scan chose. */
function completeSend<C extends Record<string, SelectCase>>(
  key: string,
  send: SendCase<unknown>,
): Promise<SelectResult<C>> {
  const channel = send.channel as ChannelImpl<unknown>;
  if (channel.closed) return Promise.reject(channel.rejectSend(send.value));
  const isSent = channel.offer(send.value);
  assertInternal(isSent, 'a ready send case could not send');
  return Promise.resolve({ key } as SelectResult<C>);
}
