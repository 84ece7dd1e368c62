/**
 * Select cases: the descriptions of what a `select` may do, made by
 * onReceive, onSend, onTimeout and onDefault.
 *
 * Cases are immutable; one case object may be reused by any number of
 * selects, concurrently. Every kind is one internal class, `Case`, so that
 * select's scan reads one object shape; the exported case types are views
 * of it.
 */
import {
  ChannelImpl,
  describeValue,
  shapeAnchor,
  type ReceiveChannel,
  type SendChannel,
} from './channel.js';
import { systemClock, type Clock } from './clock.js';

/** Case kinds, the `kind` tag of every case. */
export const KIND_RECEIVE = 0 as const;
export const KIND_SEND = 1 as const;
export const KIND_TIMEOUT = 2 as const;
export const KIND_DEFAULT = 3 as const;

/**
 * Every case, of every kind, is one of these: a single object shape keeps
 * the property loads in select's scan monomorphic. The exported case types
 * are views of it.
 */
export class Case {
  constructor(
    /** KIND_* of this case; fixed. */
    readonly kind: number,
    /** The channel of a receive or send case, else null; fixed. */
    readonly channel: ChannelImpl<unknown> | null,
    /** The value of a send case; fixed. */
    readonly value: unknown,
    /** The delay of a timeout case, in milliseconds; fixed. */
    readonly ms: number,
    /** The clock of a timeout case, else null; fixed. */
    readonly clock: Clock | null,
  ) {}
}

/** A receive case; create it with {@link onReceive}. */
export interface ReceiveCase<T> {
  readonly kind: typeof KIND_RECEIVE;
  /** The channel to receive from. */
  readonly channel: ReceiveChannel<T>;
  /** Brands the type parameter; never set. */
  readonly __value?: T;
}

/** A send case; create it with {@link onSend}. */
export interface SendCase<T> {
  readonly kind: typeof KIND_SEND;
  /** The channel to send on. */
  readonly channel: SendChannel<T>;
  /** The value sent if this case is chosen. */
  readonly value: T;
}

/** A timeout case; create it with {@link onTimeout}. */
export interface TimeoutCase {
  readonly kind: typeof KIND_TIMEOUT;
  /** Milliseconds from the moment the select parks. */
  readonly ms: number;
  /** The clock that measures them. */
  readonly clock: Clock;
}

/** The default case; create it with {@link onDefault}. */
export interface DefaultCase {
  readonly kind: typeof KIND_DEFAULT;
}

/** Any select case. */
export type SelectCase = ReceiveCase<unknown> | SendCase<unknown> | TimeoutCase | DefaultCase;

/**
 * A case that receives from `channel`. When chosen the result carries
 * `value` and `ok` (false once the channel is closed and drained, as Go's
 * `v, ok := <-ch`). A nil channel's case is never chosen. Cases are
 * immutable, so each channel makes its receive case once and returns the
 * same object on every call.
 *
 * @example
 * ```ts
 * const ch = chan<number>(1);
 * ch.trySend(7);
 * const r = await select({ got: onReceive(ch) });
 * if (r.key === 'got' && r.ok) console.log(r.value); // 7
 * ```
 * @throws TypeError if `channel` is not a channel made by this library.
 */
export function onReceive<T>(channel: ReceiveChannel<T>): ReceiveCase<T> {
  if (!(channel instanceof ChannelImpl)) {
    throw new TypeError(`onReceive(): expected a channel, got ${describeValue(channel)}`);
  }
  // Cases are immutable, so each channel keeps one.
  return (channel.receiveCase ??= new Case(
    KIND_RECEIVE,
    channel,
    undefined,
    0,
    null,
  )) as ReceiveCase<T>;
}

/**
 * A case that sends `value` on `channel`. Chosen when the send can complete;
 * a send case on a closed channel makes the select reject with
 * `ChannelClosedError` if chosen, as Go panics. A nil channel's case is never
 * chosen.
 *
 * @example
 * ```ts
 * const ch = chan<string>(1);
 * const r = await select({ sent: onSend(ch, 'hi'), idle: onDefault() });
 * console.log(r.key); // sent
 * ```
 * @throws TypeError if `channel` is not a channel made by this library.
 */
export function onSend<T>(channel: SendChannel<T>, value: T): SendCase<T> {
  if (!(channel instanceof ChannelImpl)) {
    throw new TypeError(`onSend(): expected a channel, got ${describeValue(channel)}`);
  }
  return new Case(KIND_SEND, channel, value, 0, null) as SendCase<T>;
}

/**
 * A case chosen when `ms` milliseconds pass after the select parks and no
 * other case has fired. Its timer exists only while the select is parked and
 * is always cleared when the select settles, so a select loop with a long
 * timeout holds no timers (unlike Go's `time.After` in a loop).
 * `Infinity` never fires. Cases are immutable, so on the system clock a
 * call with the same `ms` as the previous one returns the same case object,
 * and a select loop allocates no case for its timeout.
 *
 * @example
 * ```ts
 * const never = chan<number>();
 * const r = await select({ v: onReceive(never), late: onTimeout(5) });
 * console.log(r.key); // late
 * ```
 * @throws RangeError if `ms` is negative or NaN; TypeError if not a number.
 */
export function onTimeout(ms: number, options?: { clock?: Clock | undefined }): TimeoutCase {
  if (typeof ms !== 'number') {
    throw new TypeError(`onTimeout(): ms must be a number, got ${describeValue(ms)}`);
  }
  if (!(ms >= 0)) {
    throw new RangeError(`onTimeout(): ms must be a non-negative number, got ${ms}`);
  }
  const clock = options?.clock ?? systemClock;
  if (clock !== systemClock)
    return new Case(KIND_TIMEOUT, null, undefined, ms, clock) as TimeoutCase;
  // Cases are immutable: a select loop's onTimeout(ms) on the
  // system clock gets the same case back each time.
  if (lastTimeout.ms !== ms) {
    lastTimeout = new Case(KIND_TIMEOUT, null, undefined, ms, systemClock) as TimeoutCase;
  }
  return lastTimeout;
}

/** The timeout case onTimeout made last on the system clock. */
let lastTimeout = new Case(KIND_TIMEOUT, null, undefined, Infinity, systemClock) as TimeoutCase;

const DEFAULT_CASE = new Case(KIND_DEFAULT, null, undefined, 0, null) as DefaultCase;

// The shape anchor's receive case keeps the shape of receive cases alive
// across major GCs, as the anchor does for channels (see channel.ts).
onReceive(shapeAnchor);

/**
 * Go's `default:` clause: chosen when no other case is ready, so the select
 * never waits. At most one per select.
 *
 * @example
 * ```ts
 * const ch = chan<number>();
 * const r = await select({ v: onReceive(ch), none: onDefault() });
 * console.log(r.key); // none
 * ```
 */
export function onDefault(): DefaultCase {
  return DEFAULT_CASE;
}
