// Properties of `select`: fair choice among ready cases, the biased mode,
// exactly one case performed, withdrawal of losing cases (no waiter, timer
// or abort listener left behind), aborts without effect, and competing
// selects never sharing a value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chan,
  nilChan,
  onReceive,
  onSend,
  onTimeout,
  seededRandom,
  select,
} from '../../src/index.js';
import type { Channel, Clock, SelectCase } from '../../src/index.js';
import {
  AbortReason,
  DeliveryLedger,
  checkNoParkedWaiter,
  flush,
  fulfilledNow,
  settleNow,
} from './invariants.js';

// ─── Ready and blocked cases ────────────────────────────────────────────────

/** What a case is when the select starts: ready cases can complete at once. */
type ReadySpec = 'receive-buffered' | 'receive-closed' | 'send-free-slot';
type BlockedSpec = 'receive-empty' | 'send-no-receiver' | 'nil';
type CaseSpec = ReadySpec | BlockedSpec;

const readySpec = fc.constantFrom<ReadySpec>(
  'receive-buffered',
  'receive-closed',
  'send-free-slot',
);
const blockedSpec = fc.constantFrom<BlockedSpec>('receive-empty', 'send-no-receiver', 'nil');

function isReady(spec: CaseSpec): spec is ReadySpec {
  return spec === 'receive-buffered' || spec === 'receive-closed' || spec === 'send-free-slot';
}

/** `ready` ready cases and `blocked` blocked ones, in a random declaration order. */
function caseSpecs(ready: { minLength: number; maxLength: number }): fc.Arbitrary<CaseSpec[]> {
  return fc
    .tuple(fc.array(readySpec, ready), fc.array(blockedSpec, { maxLength: 3 }))
    .chain(([r, b]) => {
      const all: CaseSpec[] = [...r, ...b];
      return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
    });
}

/** One case per spec, each on its own channel, keyed `k<index>`. */
class CaseSet {
  readonly cases: Record<string, SelectCase> = {};
  readonly channels: Channel<string>[] = [];

  constructor(readonly specs: CaseSpec[]) {
    specs.forEach((spec, i) => {
      const key = `k${i}`;
      const ch = chan<string>(spec === 'receive-buffered' || spec === 'send-free-slot' ? 1 : 0);
      this.channels.push(ch);
      if (spec === 'receive-buffered') ch.trySend(`in ${key}`);
      if (spec === 'receive-closed') ch.close();
      if (spec === 'nil') this.cases[key] = onReceive(nilChan<string>());
      else if (spec.startsWith('send')) this.cases[key] = onSend(ch, `out ${key}`);
      else this.cases[key] = onReceive(ch);
    });
  }

  /** Puts the channel of the chosen case back as it was before the select. */
  restore(key: string): void {
    const i = Number(key.slice(1));
    const ch = this.channels[i] as Channel<string>;
    // Plain checks, not expect(): this runs thousands of times per property.
    if (this.specs[i] === 'receive-buffered' && !ch.trySend(`in ${key}`)) {
      throw new Error(`receive case ${key} was chosen but its channel is still full`);
    }
    if (this.specs[i] === 'send-free-slot' && ch.tryReceive()?.value !== `out ${key}`) {
      throw new Error(`send case ${key} was chosen but its value is not in its channel`);
    }
  }
}

/**
 * Chi-square critical values at p = 1e-9 by degrees of freedom: a fair
 * choice fails this bound about once in a billion runs, while a choice that
 * favours one case by even 10% over 2000 draws exceeds it.
 */
const CHI_SQUARE_LIMIT = [0, 37.3, 41.4, 44.8, 47.9];

// ─── A clock driven by hand ─────────────────────────────────────────────────

/** A clock whose timers fire only when the test says so. */
class ManualClock implements Clock {
  /** Armed callbacks by handle; changed by setTimeout, clearTimeout and fire. */
  readonly armed = new Map<number, () => void>();
  /** The last handle given out. */
  private lastHandle = 0;

  now(): number {
    return 0;
  }

  setTimeout(callback: () => void): number {
    this.armed.set(++this.lastHandle, callback);
    return this.lastHandle;
  }

  clearTimeout(handle: unknown): void {
    this.armed.delete(handle as number);
  }

  /** Fires the armed timer at position `index` (modulo the count), if any. */
  fire(index: number): boolean {
    const handles = [...this.armed.keys()];
    if (handles.length === 0) return false;
    const handle = handles[index % handles.length] as number;
    const callback = this.armed.get(handle) as () => void;
    this.armed.delete(handle);
    callback();
    return true;
  }
}

// ─── Parked selects ─────────────────────────────────────────────────────────

/** A channel on which a case can park: unbuffered, or buffered and empty or full. */
type ParkState = 'unbuffered' | 'empty' | 'full';

interface ParkedPlan {
  channels: { state: ParkState; capacity: number }[];
  /** Channel index (modulo the count) and, on unbuffered channels, direction. */
  cases: { channel: number; isSend: boolean }[];
  /** Timeout cases on a manual clock. */
  timeouts: number;
}

const parkedPlan: fc.Arbitrary<ParkedPlan> = fc.record({
  channels: fc.array(
    fc.record({
      state: fc.constantFrom<ParkState>('unbuffered', 'empty', 'full'),
      capacity: fc.integer({ min: 1, max: 3 }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  cases: fc.array(fc.record({ channel: fc.nat(3), isSend: fc.boolean() }), {
    minLength: 1,
    maxLength: 5,
  }),
  timeouts: fc.nat(2),
});

/** A set of channels and a select parked on all of them. */
class ParkedSelect {
  readonly channels: Channel<string>[];
  readonly cases: Record<string, SelectCase> = {};
  /** The channel index and direction of each channel case, by key. */
  readonly caseInfo = new Map<string, { channel: number; isSend: boolean }>();
  /** Values buffered in each full channel at the start, oldest first. */
  readonly initial: string[][];
  readonly clock = new ManualClock();
  readonly undelivered: string[] = [];

  constructor(readonly plan: ParkedPlan) {
    const onUndelivered = (value: string): void => {
      this.undelivered.push(value);
    };
    this.channels = plan.channels.map((c) =>
      chan<string>(c.state === 'unbuffered' ? 0 : c.capacity, { onUndelivered }),
    );
    this.initial = plan.channels.map((c, i) =>
      c.state === 'full' ? Array.from({ length: c.capacity }, (_, n) => `old ${i}.${n}`) : [],
    );
    this.initial.forEach((values, i) => values.forEach((v) => this.channels[i]?.trySend(v)));
    plan.cases.forEach((c, n) => {
      const channel = c.channel % this.channels.length;
      const state = plan.channels[channel]?.state;
      // Only a direction that blocks: an empty buffer blocks receives, a full one sends.
      const isSend = state === 'full' || (state === 'unbuffered' && c.isSend);
      const key = `k${n}`;
      const ch = this.channels[channel] as Channel<string>;
      this.cases[key] = isSend ? onSend(ch, `out ${key}`) : onReceive(ch);
      this.caseInfo.set(key, { channel, isSend });
    });
    for (let t = 0; t < plan.timeouts; t++) {
      this.cases[`t${t}`] = onTimeout(10 * (t + 1), { clock: this.clock });
    }
  }

  /** The first declared case on `channel` in that direction: first in its queue. */
  firstCaseOn(channel: number, isSend: boolean): string {
    for (const [key, info] of this.caseInfo) {
      if (info.channel === channel && info.isSend === isSend) return key;
    }
    throw new Error('test bug: no such case');
  }

  /**
   * No channel has a parked waiter: a full channel refills no freed slot,
   * and an empty or unbuffered one has no parked receiver or sender. Drains
   * the full channels.
   */
  expectNoWaiterAnywhere(): void {
    this.channels.forEach((ch, i) => {
      const state = this.plan.channels[i]?.state;
      if (state === 'full') {
        // A free slot would be refilled at once by a parked sender.
        expect(ch.tryReceive()?.ok).toBe(true);
        expect(ch.length).toBe(ch.capacity - 1);
        while (ch.tryReceive()?.ok === true);
      }
      checkNoParkedWaiter(ch, 'probe', `channel ${i}`);
    });
  }
}

// ─── Laws ───────────────────────────────────────────────────────────────────

describe('select', () => {
  describe('with several ready cases', () => {
    it('chooses each ready case with equal frequency and never a blocked one', async () => {
      await fc.assert(
        fc.asyncProperty(
          caseSpecs({ minLength: 2, maxLength: 5 }),
          fc.integer(),
          async (specs, seed) => {
            const set = new CaseSet(specs);
            const random = seededRandom(seed);
            const counts = new Map<string, number>(specs.map((_, i) => [`k${i}`, 0]));
            const draws = 2000;

            for (let n = 0; n < draws; n++) {
              const { key } = await select(set.cases, { random });
              counts.set(key, (counts.get(key) ?? 0) + 1);
              set.restore(key);
            }

            const ready = specs.filter(isReady).length;
            const expected = draws / ready;
            let chiSquare = 0;
            specs.forEach((spec, i) => {
              const count = counts.get(`k${i}`) ?? 0;
              if (isReady(spec)) chiSquare += (count - expected) ** 2 / expected;
              else expect(count, `blocked case k${i} (${spec}) was chosen`).toBe(0);
            });
            expect(chiSquare).toBeLessThan(CHI_SQUARE_LIMIT[ready - 1] as number);
          },
        ),
      );
    });

    it('always chooses the first ready case when biased', async () => {
      await fc.assert(
        fc.asyncProperty(caseSpecs({ minLength: 1, maxLength: 4 }), async (specs) => {
          const set = new CaseSet(specs);
          const first = `k${specs.findIndex(isReady)}`;

          const keys: string[] = [];
          for (let n = 0; n < 5; n++) {
            const { key } = await select(set.cases, { biased: true });
            keys.push(key);
            set.restore(key);
          }

          expect(keys).toEqual([first, first, first, first, first]);
        }),
      );
    });
  });

  describe('when its signal is aborted before the call', () => {
    it('rejects with the reason and touches no channel, even with ready cases', async () => {
      await fc.assert(
        fc.asyncProperty(caseSpecs({ minLength: 0, maxLength: 3 }), async (specs) => {
          const set = new CaseSet(specs);
          const controller = new AbortController();
          const reason = new AbortReason('before the call');
          controller.abort(reason);

          const settlement = await settleNow(select(set.cases, { signal: controller.signal }));

          expect(settlement).toEqual({ status: 'rejected', reason });
          specs.forEach((spec, i) => {
            const ch = set.channels[i] as Channel<string>;
            if (spec === 'receive-buffered') {
              expect(ch.tryReceive()).toEqual({ value: `in k${i}`, ok: true });
            }
            if (spec === 'receive-closed')
              expect(ch.tryReceive()).toEqual({ value: undefined, ok: false });
            else checkNoParkedWaiter(ch, 'probe', `channel of k${i}`);
          });
        }),
      );
    });
  });

  describe('when parked', () => {
    it('withdraws every losing case, timer and abort listener when one case fires', async () => {
      await fc.assert(
        fc.asyncProperty(parkedPlan, fc.nat(8), async (plan, pick) => {
          const parked = new ParkedSelect(plan);
          const controller = new AbortController();
          const promise = select(parked.cases, { signal: controller.signal });
          const keys = Object.keys(parked.cases);
          const firing = keys[pick % keys.length] as string;

          // Fire one case from outside: a timer, or the channel operation it waits for.
          let expectedKey = firing;
          let expectedValue: string | undefined;
          const info = parked.caseInfo.get(firing);
          if (info === undefined) {
            expect(parked.clock.fire(Number(firing.slice(1)))).toBe(true);
          } else {
            const ch = parked.channels[info.channel] as Channel<string>;
            expectedKey = parked.firstCaseOn(info.channel, info.isSend);
            if (info.isSend) {
              const taken = ch.tryReceive();
              const old = parked.initial[info.channel]?.[0];
              expect(taken).toEqual({ value: old ?? `out ${expectedKey}`, ok: true });
            } else {
              expectedValue = 'trigger';
              expect(ch.trySend('trigger')).toBe(true);
              expect(ch.length).toBe(0);
            }
          }
          const result = await fulfilledNow(promise, 'the fired select');
          // An abort after the select settled must find no listener left: a
          // stale one would throw an internal error as an uncaught exception,
          // which fails the run.
          controller.abort(new AbortReason('after settling'));
          await flush();

          expect(result.key).toBe(expectedKey);
          if (expectedValue !== undefined)
            expect(result).toMatchObject({ value: expectedValue, ok: true });
          expect(parked.clock.armed.size).toBe(0);
          if (info?.isSend === true && parked.plan.channels[info.channel]?.state === 'full') {
            // The chosen send case refilled the freed slot, behind the old values.
            const ch = parked.channels[info.channel] as Channel<string>;
            const rest: string[] = [];
            for (let r = ch.tryReceive(); r?.ok === true; r = ch.tryReceive()) rest.push(r.value);
            expect(rest).toEqual([
              ...(parked.initial[info.channel] ?? []).slice(1),
              `out ${expectedKey}`,
            ]);
            for (const v of parked.initial[info.channel] ?? []) ch.trySend(v);
          }
          parked.expectNoWaiterAnywhere();
          expect(parked.undelivered).toEqual([]);
        }),
      );
    });

    it('has no effect on any channel when aborted', async () => {
      await fc.assert(
        fc.asyncProperty(parkedPlan, async (plan) => {
          const parked = new ParkedSelect(plan);
          const controller = new AbortController();
          const reason = new AbortReason('parked select');
          const promise = select(parked.cases, { signal: controller.signal });

          controller.abort(reason);
          const settlement = await settleNow(promise);

          expect(settlement).toEqual({ status: 'rejected', reason });
          expect(parked.clock.armed.size).toBe(0);
          parked.channels.forEach((ch, i) => {
            const values: string[] = [];
            for (let r = ch.tryReceive(); r?.ok === true; r = ch.tryReceive()) values.push(r.value);
            expect(values).toEqual(parked.initial[i]);
            checkNoParkedWaiter(ch, 'probe', `channel ${i}`);
          });
          expect(parked.undelivered).toEqual([]);
        }),
      );
    });
  });

  describe('with a send case and a receive case on different channels', () => {
    it('performs exactly one of them', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('unbuffered', 'full', 'free slot'),
          fc.constantFrom('unbuffered', 'empty', 'buffered value'),
          fc.boolean(),
          fc.integer(),
          async (sendState, receiveState, isReceiveTriggeredFirst, seed) => {
            const out = chan<string>(sendState === 'unbuffered' ? 0 : 1);
            const inbox = chan<string>(receiveState === 'unbuffered' ? 0 : 1);
            if (sendState === 'full') out.trySend('old out');
            if (receiveState === 'buffered value') inbox.trySend('old in');
            const promise = select(
              { send: onSend(out, 'x'), receive: onReceive(inbox) },
              { random: seededRandom(seed) },
            );

            // Both triggers at once, in either order: only the first may count.
            const isParked = sendState !== 'free slot' && receiveState !== 'buffered value';
            const triggers: Record<string, unknown> = {};
            const pushIn = (): void => {
              triggers.trySend = inbox.trySend('y');
            };
            const pullOut = (): void => {
              triggers.tryReceive = out.tryReceive();
            };
            if (isParked) {
              if (isReceiveTriggeredFirst) pushIn();
              pullOut();
              if (!isReceiveTriggeredFirst) pushIn();
            }
            const result = await fulfilledNow(promise, 'the select');

            // Where did 'x' go, and was the receive performed?
            const outValues: string[] = [];
            const pulled = triggers.tryReceive as { value: string; ok: boolean } | undefined;
            if (pulled?.ok === true) outValues.push(pulled.value);
            for (let r = out.tryReceive(); r?.ok === true; r = out.tryReceive())
              outValues.push(r.value);
            const inValues: string[] = [];
            for (let r = inbox.tryReceive(); r?.ok === true; r = inbox.tryReceive())
              inValues.push(r.value);
            const isSent = outValues.includes('x');
            const hasReceived = result.key === 'receive';
            expect(isSent !== hasReceived, 'exactly one case performed').toBe(true);
            expect(result.key).toBe(isSent ? 'send' : 'receive');
            if (hasReceived) {
              expect(result).toMatchObject({ ok: true });
              const got = (result as { value: string }).value;
              expect(inValues).not.toContain(got);
              expect(['old in', 'y']).toContain(got);
            }
            checkNoParkedWaiter(out, 'probe', 'send channel');
            checkNoParkedWaiter(inbox, 'probe', 'receive channel');
          },
        ),
      );
    });
  });

  describe('when two selects compete', () => {
    it('never hands one value to both, and loses none', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }),
          fc.array(fc.nat(5), { minLength: 1, maxLength: 3 }),
          fc.integer(),
          async (s, capacities, sendCounts, seed) => {
            const ledger = new DeliveryLedger();
            const channels = capacities.map((capacity) =>
              chan<string>(capacity, { onUndelivered: (v) => ledger.undelivered(v) }),
            );
            const random = seededRandom(seed);
            const pause = (label: string): Promise<string> =>
              s.schedule(Promise.resolve(label), label);
            const failures: unknown[] = [];
            let running = 0;
            const spawn = (body: () => Promise<void>): void => {
              running++;
              body().then(
                () => running--,
                (error: unknown) => {
                  running--;
                  failures.push(error);
                },
              );
            };

            // One producer per entry of sendCounts, each on one channel; it closes its
            // channel when it is the last producer on it to finish.
            const remaining = channels.map(
              (_, c) => sendCounts.filter((_n, p) => p % channels.length === c).length,
            );
            channels.forEach((ch, c) => {
              if (remaining[c] === 0) ch.close();
            });
            sendCounts.forEach((count, p) => {
              const c = p % channels.length;
              const ch = channels[c] as Channel<string>;
              spawn(async () => {
                for (let i = 0; i < count; i++) {
                  await pause(`P${p} send ${i}`);
                  const value = `P${p}:${i}`;
                  ledger.offer(value);
                  await ch.send(value);
                  ledger.settle(value, 'resolved');
                }
                await pause(`P${p} done`);
                remaining[c] = (remaining[c] as number) - 1;
                if (remaining[c] === 0) ch.close();
              });
            });
            // Two consumers, each a select over every open channel.
            for (const name of ['S0', 'S1']) {
              spawn(async () => {
                const isOpen = channels.map(() => true);
                while (isOpen.includes(true)) {
                  await pause(`${name} select`);
                  const cases = Object.fromEntries(
                    channels.map((ch, i) => [
                      `c${i}`,
                      onReceive(isOpen[i] === true ? ch : nilChan<string>()),
                    ]),
                  );
                  const callStep = ledger.step();
                  const result = await select(cases, { random });
                  const i = Number(result.key.slice(1));
                  if (result.ok) {
                    ledger.receive(
                      result.value,
                      name,
                      callStep,
                      result.key,
                      capacities[i] as number,
                    );
                  } else isOpen[i] = false;
                }
              });
            }

            await s.waitIdle();
            await flush();

            expect(failures).toEqual([]);
            expect(running, 'tasks still blocked').toBe(0);
            ledger.checkFinal();
            ledger.checkFifoPerSender();
            ledger.checkRendezvous();
          },
        ),
      );
    });

    it('completes at most one exchange between a select sending on a and receiving on b and one doing the reverse', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer(), fc.integer(), async (seed1, seed2) => {
          const a = chan<string>();
          const b = chan<string>();

          const first = select(
            { send: onSend(a, 'x'), receive: onReceive(b) },
            { random: seededRandom(seed1) },
          );
          const second = select(
            { receive: onReceive(a), send: onSend(b, 'y') },
            { random: seededRandom(seed2) },
          );
          const r1 = await fulfilledNow(first, 'the first select');
          const r2 = await fulfilledNow(second, 'the second select');

          const exchanges = [
            r1.key === 'send' && r2.key === 'receive' && r2.value === 'x',
            r1.key === 'receive' && r1.value === 'y' && r2.key === 'send',
          ];
          expect(exchanges.filter(Boolean)).toHaveLength(1);
          checkNoParkedWaiter(a, 'probe', 'a');
          checkNoParkedWaiter(b, 'probe', 'b');
        }),
      );
    });
  });

  describe('with a clock that fires a zero-delay timeout synchronously', () => {
    // Regression: select used to arm timers in pass 4 while it was still
    // parking channel cases. The Clock contract allows a callback "no
    // earlier than ms", so a clock may fire a 0 ms timer inside setTimeout.
    // The select then settles mid-park: cases declared after the timeout are
    // parked on an already settled select, and the abort listener is added
    // after settling. A later send to such a channel dequeues the stale
    // waiter and throws "rxchan internal error ... a settled select was
    // woken", losing the value.
    it('leaves no waiter behind in channels of cases declared after the timeout', async () => {
      const immediate: Clock = {
        now: () => 0,
        setTimeout: (callback) => {
          callback();
          return 0;
        },
        clearTimeout: () => {},
      };
      const before = chan<string>();
      const after = chan<string>();

      const result = await select({
        before: onReceive(before),
        late: onTimeout(0, { clock: immediate }),
        after: onReceive(after),
      });

      expect(result.key).toBe('late');
      checkNoParkedWaiter(before, 'probe', 'channel before the timeout');
      checkNoParkedWaiter(after, 'probe', 'channel after the timeout');
    });
  });
});
