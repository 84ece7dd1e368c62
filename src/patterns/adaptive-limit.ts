/**
 * The adaptive half of the concurrency limiter: an AIMD controller (additive
 * increase, multiplicative decrease) that moves a concurrency limit from
 * latency samples, the way TCP moves its congestion window from round trips.
 *
 * Overview. Every change of the limit starts a new epoch. A task remembers
 * the epoch in which it was admitted, and only tasks admitted in the current
 * epoch have a say: a task admitted before the last change ran under the old
 * limit, so its latency says nothing about the new one. Without this rule a
 * burst of slow tasks already in flight would halve the limit once each and
 * drive it to `min` in one go.
 *
 * - A sample above `targetLatency`, or a failure that `isOverload` accepts,
 *   multiplies the limit by `decrease` (rounded down, at least `min`).
 * - A sample within target counts toward a round, if its task was admitted
 *   while at least half of the limit was in use (a limit nobody uses has not
 *   been tested). After `window` counted samples (by default, as many as the
 *   limit) the limit grows by `increase`, at most to `max`.
 *
 * Invariants (hold between any two calls):
 * 1. `min <= limit <= max`.
 * 2. `counted < window` for the current window; it is reset by every change
 *    of the limit and by every sample above target.
 * 3. `epoch` equals the number of changes of the limit so far.
 * 4. `decisions` holds the last `DECISION_LOG_SIZE` changes, oldest first,
 *    each with `from !== to`.
 */
import type { Clock } from '../core/clock.js';

/** How an adaptive limit moves; see {@link ConcurrencyLimiter} for the whole story. */
export interface AdaptiveLimitOptions {
  /** The limit to start with; an integer in `[min, max]`. */
  initial: number;
  /** The lowest the limit goes; a positive integer. */
  min: number;
  /** The highest the limit goes; an integer, at least `min`. */
  max: number;
  /** The latency, in milliseconds of the limiter's clock, that counts as healthy; positive. */
  targetLatency: number;
  /** How much one round of healthy samples adds to the limit; a positive integer, 1 by default. */
  increase?: number | undefined;
  /** The factor a slow sample or overload multiplies the limit by; in (0, 1), 0.5 by default. */
  decrease?: number | undefined;
  /**
   * How many healthy samples make a round that earns one increase; a
   * positive integer. By default the current limit, so the limit grows by
   * `increase` about once per round trip of a full set of tasks.
   */
  window?: number | undefined;
  /**
   * Whether a task's failure is an overload signal (and so decreases the
   * limit). By default, an error named `'TimeoutError'` (ours, or the one
   * `AbortSignal.timeout` produces). Other failures leave the limit alone.
   */
  isOverload?: ((error: unknown) => boolean) | undefined;
}

/** One change of an adaptive limit, kept in {@link ConcurrencyLimiter.decisions}. */
export interface LimitDecision {
  /** The clock's time of the change, in milliseconds. */
  readonly at: number;
  /** The limit before the change. */
  readonly from: number;
  /** The limit after the change. */
  readonly to: number;
  /** Whether the limit went up (a round of healthy samples) or down. */
  readonly reason: 'increase' | 'decrease';
  /** The latency of the sample that made the decision, in milliseconds. */
  readonly latency: number;
  /** True when a decrease came from a failure with an overload signal, not from latency. */
  readonly overload: boolean;
}

/** How many decisions an adaptive limit keeps. */
export const DECISION_LOG_SIZE = 100;

/** The outcome of one task, as the limiter reports it to the controller. */
export interface LimitSample {
  /** The epoch in which the task was admitted. */
  readonly epoch: number;
  /** Whether at least half of the limit was in use once the task was admitted. */
  readonly saturated: boolean;
  /** How long the task ran, in milliseconds. */
  readonly latency: number;
  /** Whether the task failed with an overload signal. */
  readonly overload: boolean;
}

/** The default overload signal: a timeout, ours or the host's. */
export function isTimeoutError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'TimeoutError'
  );
}

/** Checked adaptive options, with defaults filled in. */
export type AimdSettings = Required<Omit<AdaptiveLimitOptions, 'window'>> & {
  window: number | undefined;
};

/** An AIMD controller; the limiter feeds it one sample per settled task. */
export class AimdLimit {
  /** The current limit; changed only by `sample`. */
  limit: number;
  /** Number of changes so far (invariant 3); tasks remember it at admission. */
  epoch = 0;
  /** Healthy samples counted toward the current round (invariant 2). */
  private counted = 0;
  /** The last changes, oldest first (invariant 4). */
  private readonly log: LimitDecision[] = [];

  constructor(
    /** The checked options; fixed. */
    private readonly settings: AimdSettings,
    /** Where decisions read their time; fixed. */
    private readonly clock: Clock,
  ) {
    this.limit = settings.initial;
  }

  /** The last changes, oldest first, as a fresh array. */
  get decisions(): readonly LimitDecision[] {
    return this.log.slice();
  }

  /** Applies one task's outcome; returns the change it made, if any. */
  sample({ epoch, saturated, latency, overload }: LimitSample): LimitDecision | undefined {
    const { min, max, targetLatency, increase, decrease } = this.settings;
    if (epoch !== this.epoch) return undefined;
    if (overload || latency > targetLatency) {
      this.counted = 0;
      return this.change(Math.max(min, Math.floor(this.limit * decrease)), latency, overload);
    }
    if (!saturated) return undefined;
    this.counted++;
    if (this.counted < (this.settings.window ?? this.limit)) return undefined;
    this.counted = 0;
    return this.change(Math.min(max, this.limit + increase), latency, false);
  }

  /** Moves the limit to `to` and logs it; a move to the same value is no change. */
  private change(to: number, latency: number, overload: boolean): LimitDecision | undefined {
    const from = this.limit;
    if (to === from) return undefined;
    const decision: LimitDecision = {
      at: this.clock.now(),
      from,
      to,
      reason: to > from ? 'increase' : 'decrease',
      latency,
      overload,
    };
    this.limit = to;
    this.epoch++;
    this.counted = 0;
    this.log.push(decision);
    if (this.log.length > DECISION_LOG_SIZE) this.log.shift();
    return decision;
  }
}
