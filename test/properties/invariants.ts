/**
 * Checkers for the channel invariants, shared by the property suites.
 *
 * A {@link DeliveryLedger} records what a test did and saw: every value a
 * sender tried to send (tagged `${sender}:${index}`), how each send settled,
 * every value a receiver got and every value handed to `onUndelivered`. The
 * checkers read the ledger and throw an `Error` naming the broken invariant
 * and the values involved, so a fast-check counterexample says what went
 * wrong, not only that something did.
 *
 * The probes look for parked waiters through the public API only, restoring
 * the channel when they find none.
 */
import { ChannelClosedError } from '../../src/index.js';
import type { Channel } from '../../src/index.js';

/** How a send settled: took effect, rejected by a close, or withdrawn by its abort. */
export type SendOutcome = 'resolved' | 'closed' | 'aborted';

/** The reason every property aborts with, so an abort is told apart from other rejections. */
export class AbortReason extends Error {
  override name = 'AbortReason';

  constructor(readonly label: string) {
    super(`aborted: ${label}`);
  }
}

/** The error the properties pass to `close(error)`, as a failed producer would. */
export class CloseCause extends Error {
  override name = 'CloseCause';

  constructor(readonly label: string) {
    super(`closed with an error: ${label}`);
  }
}

/**
 * Classifies a rejection of a channel operation: a close, one of our aborts,
 * or the error a channel was closed with. Anything else is rethrown: it is a
 * failure of the property (for example an internal assertion of the
 * library).
 */
export function classifyRejection(error: unknown): 'closed' | 'aborted' | 'failed' {
  if (error instanceof ChannelClosedError) return 'closed';
  if (error instanceof AbortReason) return 'aborted';
  if (error instanceof CloseCause) return 'failed';
  throw error;
}

/** Classifies a rejected send: a close error never rejects a send. */
export function classifySendRejection(error: unknown): SendOutcome {
  const outcome = classifyRejection(error);
  if (outcome === 'failed') throw new Error('a send rejected with the close error');
  return outcome;
}

/** Lets every pending promise reaction run: resolves after the microtask queue drains. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** How a promise stood once the microtask queue drained. */
export type Settlement<T> =
  | { status: 'fulfilled'; value: T }
  | { status: 'rejected'; reason: unknown }
  | { status: 'pending' };

/**
 * Lets pending reactions run and reports how `promise` stands, instead of
 * awaiting it: a bug that leaves it pending fails the property at once
 * rather than hanging it until the test timeout.
 */
export async function settleNow<T>(promise: Promise<T>): Promise<Settlement<T>> {
  let settlement: Settlement<T> = { status: 'pending' };
  promise.then(
    (value) => {
      settlement = { status: 'fulfilled', value };
    },
    (reason: unknown) => {
      settlement = { status: 'rejected', reason };
    },
  );
  await flush();
  return settlement;
}

/** The value of a promise that must have fulfilled by now. */
export async function fulfilledNow<T>(promise: Promise<T>, what: string): Promise<T> {
  const settlement = await settleNow(promise);
  if (settlement.status === 'fulfilled') return settlement.value;
  if (settlement.status === 'rejected') throw settlement.reason;
  throw new Error(`${what} is still pending`);
}

/** A tagged value `${sender}:${index}` split into its parts. */
function parseTag(value: string): { sender: string; index: number } {
  const at = value.lastIndexOf(':');
  return { sender: value.slice(0, at), index: Number(value.slice(at + 1)) };
}

/** One receive that produced a value. */
interface Receipt {
  /** Who received it. */
  receiver: string;
  /** The channel it came from. */
  source: string;
  /** The step at which the receiving call was made. */
  callStep: number;
  /** Capacity of the channel it was received from. */
  capacity: number;
}

/** One settled send. */
interface SendSettlement {
  outcome: SendOutcome;
  /** The step at which the sender saw the settlement. */
  step: number;
}

/**
 * Everything a property observed about values moving through channels,
 * with a step counter that orders the observations.
 */
export class DeliveryLedger {
  /** Values offered by a send, in call order. */
  private readonly offered: string[] = [];
  /** Values offered, for membership tests. */
  private readonly offeredSet = new Set<string>();
  /** How each settled send ended. */
  private readonly settlements = new Map<string, SendSettlement>();
  /** Every receipt of each value (more than one is a duplicate). */
  private readonly receipts = new Map<string, Receipt[]>();
  /** Values each receiver got from each channel, in the order it got them. */
  private readonly byStream = new Map<string, string[]>();
  /** How many times each value reached `onUndelivered`. */
  private readonly undeliveredCount = new Map<string, number>();
  /** The step counter: incremented by every `step()`. */
  private steps = 0;

  /** Marks a point in time and returns it; later marks are larger. */
  step(): number {
    return ++this.steps;
  }

  /** A sender is about to send `value`. */
  offer(value: string): void {
    if (this.offeredSet.has(value)) throw new Error(`test bug: ${value} offered twice`);
    this.offered.push(value);
    this.offeredSet.add(value);
  }

  /** The sender of `value` saw its send settle. */
  settle(value: string, outcome: SendOutcome): void {
    if (this.settlements.has(value)) throw new Error(`send of ${value} settled twice`);
    this.settlements.set(value, { outcome, step: this.step() });
  }

  /**
   * `receiver` got `value` from channel `source` (of `capacity`) by a call
   * made at `callStep`.
   */
  receive(
    value: string,
    receiver: string,
    callStep: number,
    source: string,
    capacity: number,
  ): void {
    let receipts = this.receipts.get(value);
    if (receipts === undefined) this.receipts.set(value, (receipts = []));
    receipts.push({ receiver, source, callStep, capacity });
    // FIFO holds per channel, so order is tracked per receiver and channel.
    const stream = `${receiver} from ${source}`;
    let values = this.byStream.get(stream);
    if (values === undefined) this.byStream.set(stream, (values = []));
    values.push(value);
  }

  /** `onUndelivered` was called with `value`. */
  undelivered(value: string): void {
    this.undeliveredCount.set(value, (this.undeliveredCount.get(value) ?? 0) + 1);
  }

  /** Every receipt and hand-back accounted for so far, for failure messages. */
  describe(value: string): string {
    const receipts = (this.receipts.get(value) ?? []).map((r) => r.receiver).join(', ');
    return (
      `${value}: send ${this.settlements.get(value)?.outcome ?? 'pending'}, ` +
      `received by [${receipts}], undelivered ${this.undeliveredCount.get(value) ?? 0}x`
    );
  }

  /**
   * Invariants that hold at every step: no value is received twice, or both
   * received and handed back; nothing appears that was never sent; a send
   * rejected by a close was handed to `onUndelivered` and never received; an
   * aborted send had no effect at all.
   */
  checkSoFar(): void {
    for (const value of this.receipts.keys()) {
      if (!this.offeredSet.has(value)) throw new Error(`received ${value}, which was never sent`);
    }
    for (const value of this.undeliveredCount.keys()) {
      if (!this.offeredSet.has(value)) {
        throw new Error(`onUndelivered got ${value}, which was never sent`);
      }
    }
    for (const value of this.offered) {
      const received = this.receipts.get(value)?.length ?? 0;
      const undelivered = this.undeliveredCount.get(value) ?? 0;
      const outcome = this.settlements.get(value)?.outcome;
      if (received + undelivered > 1) {
        throw new Error(`delivered or handed back more than once: ${this.describe(value)}`);
      }
      if (outcome === 'closed' && received > 0) {
        throw new Error(`a send rejected by close was also received: ${this.describe(value)}`);
      }
      if (outcome === 'aborted' && received + undelivered > 0) {
        throw new Error(`an aborted send had an effect: ${this.describe(value)}`);
      }
    }
  }

  /**
   * Invariants once every operation has settled and the channels are drained:
   * every send settled; a resolved send's value was received exactly once or
   * reached `onUndelivered` (a policy dropped it, or `cancel` discarded it);
   * a send rejected by a close was handed to `onUndelivered` exactly once.
   */
  checkFinal(): void {
    this.checkSoFar();
    for (const value of this.offered) {
      const settlement = this.settlements.get(value);
      if (settlement === undefined) throw new Error(`send never settled: ${this.describe(value)}`);
      const received = this.receipts.get(value)?.length ?? 0;
      const undelivered = this.undeliveredCount.get(value) ?? 0;
      if (settlement.outcome === 'resolved' && received + undelivered !== 1) {
        throw new Error(`a sent value was lost: ${this.describe(value)}`);
      }
      if (settlement.outcome === 'closed' && undelivered !== 1) {
        throw new Error(`a send rejected by close was not handed back: ${this.describe(value)}`);
      }
    }
  }

  /**
   * FIFO per sender: from any one channel, each receiver gets any one
   * sender's values in the order that sender sent them (senders send one
   * value at a time, so their order is the order their sends completed).
   */
  checkFifoPerSender(): void {
    for (const [stream, values] of this.byStream) {
      const last = new Map<string, number>();
      for (const value of values) {
        const { sender, index } = parseTag(value);
        const previous = last.get(sender);
        if (previous !== undefined && previous >= index) {
          throw new Error(
            `${stream} got ${sender}:${index} after ${sender}:${previous} ` +
              `(received: ${values.join(' ')})`,
          );
        }
        last.set(sender, index);
      }
    }
  }

  /**
   * Rendezvous: a send on an unbuffered channel settles only after the
   * receive that took its value was called.
   */
  checkRendezvous(): void {
    for (const [value, receipts] of this.receipts) {
      const receipt = receipts[0];
      const settlement = this.settlements.get(value);
      if (receipt === undefined || receipt.capacity !== 0 || settlement === undefined) continue;
      if (settlement.outcome === 'resolved' && settlement.step < receipt.callStep) {
        throw new Error(
          `unbuffered send of ${value} settled at step ${settlement.step}, ` +
            `before ${receipt.receiver} called receive at step ${receipt.callStep}`,
        );
      }
    }
  }
}

/** Capacity bound: a channel never buffers more values than its capacity. */
export function checkCapacity(ch: Channel<unknown>, name = 'channel'): void {
  if (!(ch.length <= ch.capacity)) {
    throw new Error(`${name} holds ${ch.length} values, above its capacity ${ch.capacity}`);
  }
}

/** Reads `length` afresh (a call, so an earlier check does not narrow it). */
function lengthOf(ch: Channel<unknown>): number {
  return ch.length;
}

/**
 * Whether `ch` (open, with an empty buffer) has a parked receiver, found by
 * offering `probe` without waiting: a receiver would take it. When none
 * does, the probe is taken back out of the buffer.
 */
export function probeParkedReceiver<T>(ch: Channel<T>, probe: T): boolean {
  if (ch.closed || ch.length !== 0) {
    throw new Error('test bug: probe a parked receiver only on an open, empty channel');
  }
  if (!ch.trySend(probe)) return false;
  if (lengthOf(ch) === 1) {
    // Buffered, and nobody took it: remove the probe again.
    ch.tryReceive();
    return false;
  }
  return true;
}

/**
 * Whether `ch` (with an empty buffer, or unbuffered) has a parked sender,
 * found by receiving without waiting. A receive that succeeds took a parked
 * sender's value, which is returned so the caller can report it.
 */
export function probeParkedSender<T>(ch: Channel<T>): { value: T } | undefined {
  if (ch.length !== 0) throw new Error('test bug: probe a parked sender only on an empty buffer');
  const result = ch.tryReceive();
  return result !== undefined && result.ok ? { value: result.value } : undefined;
}

/**
 * No waiter left behind: an open channel whose buffer was drained has no
 * parked receiver and no parked sender.
 */
export function checkNoParkedWaiter<T>(ch: Channel<T>, probe: T, name = 'channel'): void {
  if (ch.closed) return;
  const sender = probeParkedSender(ch);
  if (sender !== undefined) {
    throw new Error(`${name} still has a parked sender (it carried ${String(sender.value)})`);
  }
  if (probeParkedReceiver(ch, probe)) throw new Error(`${name} still has a parked receiver`);
}
