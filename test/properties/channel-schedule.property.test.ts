// Interleaving properties of `chan`: producers, consumers and a chaos actor
// run as tasks whose steps are ordered by fast-check's scheduler. Producers
// send tagged values `${producer}:${i}` (some through a select over every
// channel, some aborted right after the call) and may close; consumers use
// receive, receiveOk, a `for await` loop that breaks early, tryReceive, or a
// select over every channel; the chaos actor aborts actors and closes or
// cancels channels. Once nothing can move, every remaining signal aborts,
// the channels are drained, and each law is checked on what was observed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chan, nilChan, onReceive, onSend, seededRandom, select } from '../../src/index.js';
import type { Channel, SelectCase } from '../../src/index.js';
import {
  AbortReason,
  DeliveryLedger,
  checkCapacity,
  checkNoParkedWaiter,
  classifyRejection,
  classifySendRejection,
  CloseCause,
  flush,
  type SendOutcome,
} from './invariants.js';

// ─── Scenarios ──────────────────────────────────────────────────────────────

type Policy = 'block' | 'drop-newest' | 'drop-oldest' | 'conflated' | 'unbounded';

interface ChannelPlan {
  policy: Policy;
  /** Ignored by the conflated and unbounded policies, which set their own. */
  capacity: number;
}

interface ProducerPlan {
  /** Channel index (modulo the channel count) for plain sends. */
  target: number;
  /** Send through a select over every channel instead of a plain send. */
  viaSelect: boolean;
  /** One entry per value; true aborts that send right after the call. */
  sends: boolean[];
  /** Close the target channel after the last send. */
  closeAtEnd: boolean;
}

type ConsumerKind = 'receive' | 'receiveOk' | 'iterate' | 'try' | 'select';

interface ConsumerPlan {
  kind: ConsumerKind;
  /** Channel index (modulo the channel count); a select reads every channel. */
  target: number;
  /** The most values (or, for `try`, attempts) before the consumer stops. */
  limit: number;
  /** Abort each receive right after the call (not for `iterate` and `try`). */
  isHasty: boolean;
}

type ChaosAction = 'abort-producer' | 'abort-consumer' | 'close' | 'close-with-error' | 'cancel';

interface ChaosStep {
  action: ChaosAction;
  /** Actor or channel index, modulo their count. */
  target: number;
}

interface Scenario {
  channels: ChannelPlan[];
  producers: ProducerPlan[];
  consumers: ConsumerPlan[];
  chaos: ChaosStep[];
  /** Seeds the select choices. */
  seed: number;
}

const channelPlan: fc.Arbitrary<ChannelPlan> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      policy: fc.constant<Policy>('block'),
      capacity: fc.integer({ min: 0, max: 4 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      policy: fc.constantFrom<Policy>('drop-newest', 'drop-oldest', 'conflated', 'unbounded'),
      capacity: fc.integer({ min: 1, max: 4 }),
    }),
  },
);

const producerPlan: fc.Arbitrary<ProducerPlan> = fc.record({
  target: fc.nat(3),
  viaSelect: fc.oneof(
    { weight: 3, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  ),
  sends: fc.array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constant(false) },
      { weight: 1, arbitrary: fc.constant(true) },
    ),
    { minLength: 1, maxLength: 8, size: 'medium' },
  ),
  closeAtEnd: fc.oneof(
    { weight: 2, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  ),
});

const consumerPlan: fc.Arbitrary<ConsumerPlan> = fc.record({
  kind: fc.constantFrom<ConsumerKind>('receive', 'receiveOk', 'iterate', 'try', 'select'),
  target: fc.nat(3),
  limit: fc.integer({ min: 1, max: 12 }),
  isHasty: fc.oneof(
    { weight: 4, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  ),
});

const chaosStep: fc.Arbitrary<ChaosStep> = fc.record({
  action: fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom<ChaosAction>('abort-producer', 'abort-consumer') },
    { weight: 1, arbitrary: fc.constantFrom<ChaosAction>('close', 'close-with-error', 'cancel') },
  ),
  target: fc.nat(3),
});

const scenario: fc.Arbitrary<Scenario> = fc.record({
  channels: fc.array(channelPlan, { minLength: 1, maxLength: 2 }),
  producers: fc.array(producerPlan, { minLength: 1, maxLength: 3, size: 'max' }),
  consumers: fc.array(consumerPlan, { minLength: 1, maxLength: 3, size: 'max' }),
  chaos: fc.array(chaosStep, { maxLength: 3 }),
  seed: fc.integer(),
});

function makeChannel(plan: ChannelPlan, onUndelivered: (value: string) => void): Channel<string> {
  if (plan.policy === 'conflated' || plan.policy === 'unbounded') {
    return chan<string>({ policy: plan.policy, onUndelivered });
  }
  return chan<string>(plan.capacity, { policy: plan.policy, onUndelivered });
}

// ─── Running a scenario ─────────────────────────────────────────────────────

/** What a run observed; each property checks one law on it. */
interface Report {
  ledger: DeliveryLedger;
  /** `length > capacity` seen after some step. */
  capacityViolations: string[];
  /** Operations seen parked after a step although they could have completed. */
  parkedWhileReady: string[];
  /** Waiters found parked after every operation settled. */
  leftWaiters: string[];
  /** Unexpected errors thrown by actors (for example internal assertions). */
  failures: unknown[];
}

function closeQuietly(ch: Channel<string>): void {
  if (!ch.closed) ch.close();
}

/** Runs `sc` under scheduler `s` to the end and reports what it saw. */
async function runScenario(s: fc.Scheduler, sc: Scenario): Promise<Report> {
  const ledger = new DeliveryLedger();
  const channels = sc.channels.map((plan) => makeChannel(plan, (v) => ledger.undelivered(v)));
  const random = seededRandom(sc.seed);
  const report: Report = {
    ledger,
    capacityViolations: [],
    parkedWhileReady: [],
    leftWaiters: [],
    failures: [],
  };
  // What each actor is waiting for, while its operation is pending.
  const waiting = new Map<string, { channels: number[]; isSend: boolean }>();
  async function waitFor<T>(
    name: string,
    on: { channels: number[]; isSend: boolean },
    promise: Promise<T>,
  ): Promise<T> {
    waiting.set(name, on);
    try {
      return await promise;
    } finally {
      waiting.delete(name);
    }
  }
  const running = new Set<string>();
  const pause = (label: string): Promise<string> => s.schedule(Promise.resolve(label), label);

  function start(name: string, body: () => Promise<void>): void {
    running.add(name);
    body().then(
      () => running.delete(name),
      (error: unknown) => {
        running.delete(name);
        report.failures.push(error);
      },
    );
  }

  /** A select-case object over every channel, keyed `c<index>`. */
  function casesOver<C extends SelectCase>(
    make: (ch: Channel<string>, i: number) => C,
  ): Record<string, C> {
    return Object.fromEntries(channels.map((ch, i) => [`c${i}`, make(ch, i)]));
  }

  const channelOf = (key: string): Channel<string> =>
    channels[Number(key.slice(1))] as Channel<string>;

  // Producers: send each value, stop at the first close or abort of their own.
  const producerControllers = sc.producers.map((plan, p) => {
    const name = `P${p}`;
    const controller = new AbortController();
    const target = plan.target % channels.length;
    const ch = channels[target] as Channel<string>;
    const sendOne = (value: string, isHasty: boolean): Promise<unknown> => {
      const hasty = new AbortController();
      const signal = isHasty ? hasty.signal : controller.signal;
      const promise: Promise<unknown> = plan.viaSelect
        ? select(
            casesOver((c) => onSend(c, value)),
            { signal, random },
          )
        : ch.send(value, { signal });
      if (!isHasty) {
        const on = plan.viaSelect ? channels.map((_, c) => c) : [target];
        return waitFor(name, { channels: on, isSend: true }, promise);
      }
      // An abort right after the call: the send either completed already or has no effect.
      hasty.abort(new AbortReason(`${value} at once`));
      return promise;
    };
    start(name, async () => {
      for (let i = 0; i < plan.sends.length; i++) {
        await pause(`${name} send ${i}`);
        const value = `${name}:${i}`;
        ledger.offer(value);
        let outcome: SendOutcome = 'resolved';
        try {
          await sendOne(value, plan.sends[i] === true);
        } catch (error) {
          outcome = classifySendRejection(error);
        }
        ledger.settle(value, outcome);
        if (outcome === 'closed' || controller.signal.aborted) return;
      }
      if (plan.closeAtEnd) {
        await pause(`${name} close`);
        closeQuietly(ch);
      }
    });
    return controller;
  });

  // Consumers: receive up to `limit` values, stop at the close or their abort.
  const consumerControllers = sc.consumers.map((plan, c) => {
    const name = `C${c}`;
    const controller = new AbortController();
    const target = plan.target % channels.length;
    const source = `c${target}`;
    const ch = channelOf(source);
    /** The signal for one receive; a hasty one is aborted right after the call. */
    const withSignal = <T>(
      call: (signal: AbortSignal) => Promise<T>,
      on: number[] = [target],
    ): Promise<T> => {
      if (!plan.isHasty)
        return waitFor(name, { channels: on, isSend: false }, call(controller.signal));
      const hasty = new AbortController();
      const promise = call(hasty.signal);
      hasty.abort(new AbortReason(`${name} at once`));
      return promise;
    };
    /** Whether to go on after a rejection: only a hasty abort of our own. */
    const goesOn = (error: unknown): boolean =>
      classifyRejection(error) === 'aborted' && !controller.signal.aborted;

    start(name, async () => {
      switch (plan.kind) {
        case 'receive':
        case 'receiveOk':
          for (let n = 0; n < plan.limit; n++) {
            await pause(`${name} ${plan.kind}`);
            const callStep = ledger.step();
            try {
              if (plan.kind === 'receive') {
                const value = await withSignal((signal) => ch.receive({ signal }));
                ledger.receive(value, name, callStep, source, ch.capacity);
              } else {
                const result = await withSignal((signal) => ch.receiveOk({ signal }));
                if (!result.ok) return;
                ledger.receive(result.value, name, callStep, source, ch.capacity);
              }
            } catch (error) {
              if (!goesOn(error)) return;
            }
          }
          return;
        case 'iterate': {
          await pause(`${name} for await`);
          let count = 0;
          // `for await` calls next() right after the body, so the step taken
          // at the end of the body is when the next receive was called.
          let callStep = ledger.step();
          const on = { channels: [target], isSend: false };
          waiting.set(name, on);
          try {
            for await (const value of ch.values({ signal: controller.signal })) {
              waiting.delete(name);
              ledger.receive(value, name, callStep, source, ch.capacity);
              if (++count >= plan.limit) break;
              await pause(`${name} loop body`);
              callStep = ledger.step();
              waiting.set(name, on);
            }
          } catch (error) {
            classifyRejection(error);
          } finally {
            waiting.delete(name);
          }
          return;
        }
        case 'try':
          for (let n = 0; n < plan.limit; n++) {
            await pause(`${name} tryReceive`);
            const callStep = ledger.step();
            const result = ch.tryReceive();
            if (result !== undefined && !result.ok) return;
            if (result !== undefined)
              ledger.receive(result.value, name, callStep, source, ch.capacity);
          }
          return;
        case 'select': {
          // A closed channel's case is switched off with a nil channel, as in Go.
          const isOpen = channels.map(() => true);
          for (let n = 0; n < plan.limit && isOpen.includes(true); n++) {
            await pause(`${name} select`);
            const cases = casesOver((c, i) =>
              onReceive(isOpen[i] === true ? c : nilChan<string>()),
            );
            const callStep = ledger.step();
            try {
              const openChannels = channels.map((_, i) => i).filter((i) => isOpen[i] === true);
              const result = await withSignal(
                (signal) => select(cases, { signal, random }),
                openChannels,
              );
              const from = channelOf(result.key);
              if (result.ok)
                ledger.receive(result.value as string, name, callStep, result.key, from.capacity);
              else isOpen[channels.indexOf(from)] = false;
            } catch (error) {
              if (!goesOn(error)) return;
            }
          }
          return;
        }
      }
    });
    return controller;
  });

  // Chaos: aborts actors, closes and cancels channels.
  start('chaos', async () => {
    for (const [k, step] of sc.chaos.entries()) {
      await pause(`chaos ${k} ${step.action} ${step.target}`);
      const ch = channels[step.target % channels.length] as Channel<string>;
      if (step.action === 'close') closeQuietly(ch);
      else if (step.action === 'close-with-error') {
        if (!ch.closed) ch.close(new CloseCause(`chaos ${k}`));
      } else if (step.action === 'cancel') ch.cancel();
      else {
        const controllers =
          step.action === 'abort-producer' ? producerControllers : consumerControllers;
        controllers[step.target % controllers.length]?.abort(new AbortReason(`chaos ${k}`));
      }
    }
  });

  /** Runs scheduled steps until none is left, sampling the capacity bound after each. */
  const runSteps = async (): Promise<void> => {
    await flush();
    while (s.count() > 0) {
      await s.waitNext(1);
      await flush();
      for (const [i, ch] of channels.entries()) {
        try {
          checkCapacity(ch, `channel ${i}`);
        } catch (error) {
          report.capacityViolations.push((error as Error).message);
        }
      }
      checkParked();
    }
  };

  /**
   * Every operation still pending after the microtasks drained is parked, so
   * it must be one that cannot complete: a receiver only beside an empty
   * buffer of an open channel, a sender only beside a full blocking buffer
   * of an open channel, and never both on one unbuffered channel.
   */
  function checkParked(): void {
    const sendersOn = new Set<number>();
    const receiversOn = new Set<number>();
    for (const [name, on] of waiting) {
      for (const c of on.channels) {
        const ch = channels[c] as Channel<string>;
        const plan = sc.channels[c] as ChannelPlan;
        (on.isSend ? sendersOn : receiversOn).add(c);
        let why: string | undefined;
        if (ch.closed) why = 'on a closed channel';
        else if (!on.isSend && ch.length > 0) why = `beside ${ch.length} buffered values`;
        else if (on.isSend && ch.capacity > 0 && ch.length < ch.capacity)
          why = 'beside a free slot';
        else if (on.isSend && ch.capacity > 0 && plan.policy !== 'block') {
          why = `on a full ${plan.policy} channel, which never blocks`;
        }
        if (why !== undefined) {
          report.parkedWhileReady.push(
            `${name} ${on.isSend ? 'sends' : 'receives'} parked ${why} (c${c})`,
          );
        }
      }
    }
    for (const c of sendersOn) {
      if (receiversOn.has(c) && (channels[c] as Channel<string>).capacity === 0) {
        report.parkedWhileReady.push(`a sender and a receiver both parked on unbuffered c${c}`);
      }
    }
  }

  await runSteps();
  // Nothing can move: release every blocked actor, then let them finish.
  for (const controller of [...producerControllers, ...consumerControllers]) {
    controller.abort(new AbortReason('end of run'));
  }
  await runSteps();
  if (running.size > 0) {
    report.failures.push(new Error(`still blocked after every abort: ${[...running].join(', ')}`));
    return report;
  }

  // Drain, then look for waiters left behind.
  for (const [i, ch] of channels.entries()) {
    for (
      let result = ch.tryReceive();
      result !== undefined && result.ok;
      result = ch.tryReceive()
    ) {
      ledger.receive(result.value, 'drain', ledger.step(), `c${i}`, ch.capacity);
    }
    try {
      checkNoParkedWaiter(ch, 'probe', `channel ${i}`);
    } catch (error) {
      report.leftWaiters.push((error as Error).message);
    }
  }
  return report;
}

/** Runs a scenario and asserts no actor failed unexpectedly. */
async function run(s: fc.Scheduler, sc: Scenario): Promise<Report> {
  const report = await runScenario(s, sc);
  expect(report.failures).toEqual([]);
  return report;
}

// ─── Laws ───────────────────────────────────────────────────────────────────

describe('chan', () => {
  describe('under interleaved producers, consumers, aborts and closes', () => {
    it('delivers every sent value exactly once or hands it back', async () => {
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), scenario, async (s, sc) => {
          const report = await run(s, sc);

          report.ledger.checkFinal();
        }),
      );
    });

    it("gives every receiver each sender's values in send order", async () => {
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), scenario, async (s, sc) => {
          const report = await run(s, sc);

          report.ledger.checkFifoPerSender();
        }),
      );
    });

    it('never buffers more values than its capacity', async () => {
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), scenario, async (s, sc) => {
          const report = await run(s, sc);

          expect(report.capacityViolations).toEqual([]);
        }),
      );
    });

    it('never keeps an operation parked while it could complete', async () => {
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), scenario, async (s, sc) => {
          const report = await run(s, sc);

          expect(report.parkedWhileReady).toEqual([]);
        }),
      );
    });

    it('settles an unbuffered send only after a receiver took its value', async () => {
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), scenario, async (s, sc) => {
          const report = await run(s, sc);

          report.ledger.checkRendezvous();
        }),
      );
    });

    it('leaves no parked waiter once every operation settled or was aborted', async () => {
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), scenario, async (s, sc) => {
          const report = await run(s, sc);

          expect(report.leftWaiters).toEqual([]);
        }),
      );
    });
  });
});
