// Properties of the RxJS adapters: lossless reads under subscription churn,
// push buffering against an array model of each overflow policy, and the
// read-ahead bound of pull sources.
import fc from 'fast-check';
import { Subject, from, take, type Subscription } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { chan, type ReceiveChannel } from '../../src/index.js';
import { fromChannel, toChannel, type OverflowPolicy } from '../../src/rxjs.js';
import { flush } from './invariants.js';

// ─── Subscription churn ─────────────────────────────────────────────────────

/** One step of a churn run. */
type ChurnOp =
  | { kind: 'subscribe'; via: 'fromChannel' | 'from' | 'take'; count: number }
  | { kind: 'unsubscribe'; pick: number }
  | { kind: 'send' }
  | { kind: 'trySend' }
  | { kind: 'tryReceive' }
  | { kind: 'flush' };

const churnOp: fc.Arbitrary<ChurnOp> = fc.oneof(
  fc.record({
    kind: fc.constant('subscribe' as const),
    via: fc.constantFrom('fromChannel' as const, 'from' as const, 'take' as const),
    count: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({ kind: fc.constant('unsubscribe' as const), pick: fc.nat() }),
  fc.constant({ kind: 'send' as const }),
  fc.constant({ kind: 'send' as const }),
  fc.constant({ kind: 'trySend' as const }),
  fc.constant({ kind: 'tryReceive' as const }),
  fc.constant({ kind: 'flush' as const }),
);

/** A subscriber of the churn run and what it saw. */
interface Reader {
  name: string;
  subscription: Subscription;
  seen: number[];
  /** How many values it had seen when it unsubscribed; later values would be a leak. */
  seenAtUnsubscribe: number | undefined;
  /** The most values it may take (`take(n)`), or Infinity. */
  limit: number;
}

describe('fromChannel under subscribe/unsubscribe churn', () => {
  it('delivers every sent value to exactly one reader or leaves it in the channel, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 4 }),
        fc.array(churnOp, { maxLength: 40 }),
        async (capacity, ops) => {
          const ch = chan<number>(capacity);
          const readers: Reader[] = [];
          const live: Reader[] = [];
          const direct: number[] = [];
          const sent: number[] = [];
          const pendingSends: Promise<void>[] = [];
          let next = 0;

          for (const op of ops) {
            switch (op.kind) {
              case 'subscribe': {
                const reader: Reader = {
                  name: `${op.via}#${readers.length}`,
                  subscription: undefined as unknown as Subscription,
                  seen: [],
                  seenAtUnsubscribe: undefined,
                  limit: op.via === 'take' ? op.count : Infinity,
                };
                const source =
                  op.via === 'from'
                    ? from(ch)
                    : op.via === 'take'
                      ? fromChannel(ch).pipe(take(op.count))
                      : fromChannel(ch);
                reader.subscription = source.subscribe((v) => reader.seen.push(v));
                readers.push(reader);
                live.push(reader);
                break;
              }
              case 'unsubscribe': {
                if (live.length === 0) break;
                const [reader] = live.splice(op.pick % live.length, 1) as [Reader];
                reader.subscription.unsubscribe();
                reader.seenAtUnsubscribe = reader.seen.length;
                break;
              }
              case 'send': {
                const value = next++;
                sent.push(value);
                pendingSends.push(ch.send(value));
                break;
              }
              case 'trySend': {
                const value = next++;
                if (ch.trySend(value)) sent.push(value);
                break;
              }
              case 'tryReceive': {
                const result = ch.tryReceive();
                if (result?.ok === true) direct.push(result.value);
                break;
              }
              case 'flush':
                await flush();
                break;
            }
          }
          for (const reader of live) {
            reader.subscription.unsubscribe();
            reader.seenAtUnsubscribe = reader.seen.length;
          }
          const left: number[] = [];
          for (let r = ch.tryReceive(); r !== undefined && r.ok; r = ch.tryReceive()) {
            left.push(r.value);
          }
          await Promise.all(pendingSends);

          const delivered = [...readers.flatMap((r) => r.seen), ...direct, ...left];
          expect([...delivered].sort((a, b) => a - b)).toEqual(sent);
          for (const reader of readers) {
            expect(reader.seen, reader.name).toEqual([...reader.seen].sort((a, b) => a - b));
            expect(reader.seen.length, reader.name).toBeLessThanOrEqual(reader.limit);
            expect(reader.seen.length, reader.name).toBe(reader.seenAtUnsubscribe);
          }
          expect(ch.length).toBe(0);
        },
      ),
    );
  });
});

// ─── Push buffering ─────────────────────────────────────────────────────────

/** A push source emitting, or the consumer taking one value with tryReceive. */
type PushOp = 'emit' | 'take';

/** What a bounded queue with `overflow` hands out and still holds, and whether it overflowed. */
function modelPush(
  ops: PushOp[],
  capacity: number,
  overflow: OverflowPolicy,
): { taken: number[]; left: number[]; overflowed: boolean } {
  const buffer: number[] = [];
  const taken: number[] = [];
  let next = 0;
  let overflowed = false;
  for (const op of ops) {
    if (op === 'take') {
      if (buffer.length > 0) taken.push(buffer.shift() as number);
      continue;
    }
    const value = next++;
    if (overflowed) continue;
    if (overflow === 'unbounded' || buffer.length < capacity) {
      buffer.push(value);
    } else if (overflow === 'drop-oldest') {
      buffer.shift();
      buffer.push(value);
    } else if (overflow === 'error') {
      overflowed = true;
    }
  }
  return { taken, left: buffer, overflowed };
}

describe('toChannel with a push source', () => {
  it('buffers like a bounded queue with the chosen overflow policy', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom<OverflowPolicy>('error', 'drop-newest', 'drop-oldest', 'unbounded'),
        fc.array(fc.constantFrom<PushOp>('emit', 'emit', 'take'), { maxLength: 30 }),
        async (capacity, overflow, ops) => {
          const source = new Subject<number>();
          const ch = toChannel(source, {
            capacity: overflow === 'unbounded' ? undefined : capacity,
            overflow,
          });
          const taken: number[] = [];
          let next = 0;

          for (const op of ops) {
            if (op === 'emit') {
              source.next(next++);
            } else {
              const result = ch.tryReceive();
              if (result?.ok === true) taken.push(result.value);
            }
          }
          source.complete();
          const left = drainNow(ch);

          const model = modelPush(ops, capacity, overflow);
          expect(taken).toEqual(model.taken);
          expect(left).toEqual(model.left);
          expect(ch.closeError !== undefined).toBe(model.overflowed);
          expect(source.observed).toBe(false);
        },
      ),
    );
  });
});

function drainNow<T>(ch: ReceiveChannel<T>): T[] {
  const values: T[] = [];
  for (let r = ch.tryReceive(); r !== undefined && r.ok; r = ch.tryReceive()) values.push(r.value);
  return values;
}

// ─── Pull backpressure ──────────────────────────────────────────────────────

describe('toChannel with a pull source', () => {
  it('reads exactly capacity + 1 values ahead of the consumer, and is returned on cancel', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 10 }),
        async (capacity, takes) => {
          let produced = 0;
          let isFinalized = false;
          async function* naturals(): AsyncGenerator<number> {
            try {
              for (;;) {
                produced++;
                yield produced;
              }
            } finally {
              isFinalized = true;
            }
          }
          const ch = toChannel(naturals(), { capacity });

          const received: number[] = [];
          for (let i = 0; i < takes; i++) received.push(await ch.receive());
          await flush();
          const producedBeforeCancel = produced;
          ch.cancel();
          await flush();

          expect(received).toEqual(Array.from({ length: takes }, (_, i) => i + 1));
          expect(producedBeforeCancel).toBe(takes + capacity + 1);
          expect(isFinalized).toBe(true);
        },
      ),
    );
  });
});
