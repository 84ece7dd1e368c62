// Properties of the channel patterns: fanIn loses nothing and keeps each
// input's order under any interleaving of senders; daisyChain, grown into
// the concurrent prime sieve, finds exactly the primes a plain sieve finds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chan, daisyChain, fanIn, produce, seededRandom } from '../../src/index.js';
import type { Channel, Stage } from '../../src/index.js';

// ─── fanIn ──────────────────────────────────────────────────────────────────

/** One input of a fan-in: its buffer size and how many values it sends. */
interface InputSpec {
  capacity: number;
  count: number;
}

const inputSpecs: fc.Arbitrary<InputSpec[]> = fc.array(
  fc.record({ capacity: fc.integer({ min: 0, max: 3 }), count: fc.integer({ min: 0, max: 12 }) }),
  { minLength: 1, maxLength: 4 },
);

describe('fanIn', () => {
  it('delivers every value of every input exactly once, each input in send order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        inputSpecs,
        fc.integer({ min: 0, max: 3 }),
        fc.integer(),
        async (s, specs, outputCapacity, seed) => {
          const inputs: Channel<string>[] = specs.map((spec) => chan<string>(spec.capacity));
          // Each sender waits for a scheduler step before every send, so the
          // scheduler decides how the inputs interleave.
          const senders = specs.map(async (spec, i) => {
            const input = inputs[i] as Channel<string>;
            for (let k = 0; k < spec.count; k++) {
              await s.schedule(Promise.resolve(), `input ${i} sends ${k}`);
              await input.send(`${i}:${k}`);
            }
            input.close();
          });
          const out = fanIn(inputs, { capacity: outputCapacity, random: seededRandom(seed) });
          const received: string[] = [];
          const reading = (async () => {
            for await (const v of out) received.push(v);
          })();

          await s.waitFor(Promise.all([reading, ...senders]));
          await out.done;

          const expectedTotal = specs.reduce((sum, spec) => sum + spec.count, 0);
          expect(received).toHaveLength(expectedTotal);
          specs.forEach((spec, i) => {
            const fromInput = received.filter((v) => v.startsWith(`${i}:`));
            expect(fromInput).toEqual(Array.from({ length: spec.count }, (_, k) => `${i}:${k}`));
          });
        },
      ),
    );
  });
});

describe('fanIn, cancelled part way', () => {
  it('accounts for every value once: received, handed to onUndelivered or left in its input', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        inputSpecs,
        fc.integer({ min: 0, max: 3 }),
        fc.integer(),
        async (s, specs, outputCapacity, seed) => {
          const inputs: Channel<string>[] = specs.map((spec) => chan<string>(spec.capacity));
          const senders = specs.map(async (spec, i) => {
            const input = inputs[i] as Channel<string>;
            for (let k = 0; k < spec.count; k++) {
              await s.schedule(Promise.resolve(), `input ${i} sends ${k}`);
              await input.send(`${i}:${k}`);
            }
            input.close();
          });
          const undelivered: string[] = [];
          const out = fanIn(inputs, {
            capacity: outputCapacity,
            random: seededRandom(seed),
            onUndelivered: (v) => undelivered.push(v),
          });
          const received: string[] = [];
          const reading = (async () => {
            for await (const v of out) received.push(v);
          })();
          const cancelling = s.schedule(Promise.resolve(), 'cancel').then(() => out.cancel());

          await s.waitFor(Promise.all([reading, cancelling]));
          await out.done;
          // What fanIn left behind is read by plain consumers of each input.
          const left: string[] = [];
          const draining = inputs.map(async (input) => {
            for await (const v of input) left.push(v);
          });
          await s.waitFor(Promise.all([...senders, ...draining]));

          const all = specs.flatMap((spec, i) =>
            Array.from({ length: spec.count }, (_, k) => `${i}:${k}`),
          );
          expect([...received, ...undelivered, ...left].sort()).toEqual([...all].sort());
          specs.forEach((_spec, i) => {
            const fromInput = received.filter((v) => v.startsWith(`${i}:`));
            const expectedPrefix = all
              .filter((v) => v.startsWith(`${i}:`))
              .slice(0, fromInput.length);
            expect(fromInput).toEqual(expectedPrefix);
          });
        },
      ),
    );
  });
});

// ─── daisyChain: the prime sieve ────────────────────────────────────────────

/** The primes below `limit`, by the sieve of Eratosthenes. */
function referencePrimes(limit: number): number[] {
  const isComposite = new Uint8Array(Math.max(limit, 2));
  const primes: number[] = [];
  for (let n = 2; n < limit; n++) {
    if (isComposite[n] === 1) continue;
    primes.push(n);
    for (let m = n * n; m < limit; m += n) isComposite[m] = 1;
  }
  return primes;
}

const dropMultiplesOf =
  (prime: number): Stage<number> =>
  (n) =>
    n % prime !== 0;

describe('daisyChain', () => {
  it('finds, as the concurrent prime sieve, exactly the primes below n', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2000 }), async (limit) => {
        const numbers = produce(function* () {
          for (let n = 2; n < limit; n++) yield n;
        });

        const found: number[] = [];
        for await (const prime of daisyChain(numbers, [], { extend: dropMultiplesOf })) {
          found.push(prime);
        }

        expect(found).toEqual(referencePrimes(limit));
      }),
    );
  });

  it('yields the first 1000 primes from an endless sieve, then stops every stage', async () => {
    const numbers = produce(function* () {
      for (let n = 2; ; n++) yield n;
    });
    const primes = daisyChain(numbers, [], { extend: dropMultiplesOf });

    const first: number[] = [];
    for (let i = 0; i < 1000; i++) first.push(await primes.receive());
    primes.cancel();
    await primes.done;
    numbers.cancel();
    await numbers.done;

    expect(first).toEqual(referencePrimes(7920));
    expect(first[999]).toBe(7919);
  });
});
