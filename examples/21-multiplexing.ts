/**
 * Mirrors the tutorial's multiplexing program (`rand_generator_3`): two
 * generator services are merged into one channel, one goroutine per
 * generator copying `out <- <-gen`, so the caller reads a single stream.
 *
 * `fanIn(a, b)` does the merging with one task that selects over both
 * inputs. When both have a value ready, select picks one uniformly at
 * random, so neither generator can starve the other; each generator's own
 * values keep their order. A seeded random source fixes the interleaving
 * for this run. Beyond Go: cancelling the merged channel withdraws the
 * pending select from both inputs, and cancelling each generator stops it.
 *
 * Prints:
 *   a1 a2 b1 b2 b3 a3 a4 a5
 *   each generator in its own order: true
 *   all stopped
 */
import { fanIn, produce, seededRandom } from '../src/index.js';

/**
 * A generator service that sends `${name}1`, `${name}2`, ... forever. Its
 * small buffer keeps a value ready at every select, so which input is read
 * depends only on the seeded choice, not on task timing.
 */
function generator(name: string) {
  return produce<string>(
    async (send) => {
      for (let i = 1; ; i++) await send(`${name}${i}`);
    },
    { capacity: 2 },
  );
}

const gen1 = generator('a');
const gen2 = generator('b');
const merged = fanIn([gen1, gen2], { random: seededRandom(7) });

const received: string[] = [];
for (let i = 0; i < 8; i++) received.push(await merged.receive());
console.log(received.join(' '));

const inOrder = (name: string) =>
  received.filter((v) => v.startsWith(name)).every((v, i) => v === `${name}${i + 1}`);
console.log('each generator in its own order:', inOrder('a') && inOrder('b'));

merged.cancel();
gen1.cancel();
gen2.cancel();
await Promise.all([merged.done, gen1.done, gen2.done]);
console.log('all stopped');
