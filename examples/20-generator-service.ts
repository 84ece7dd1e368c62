/**
 * Mirrors the tutorial's "generator as a service" (`rand_generator_2`): a
 * goroutine sends random numbers, forever, into a channel it made, and the
 * caller only ever sees the receiving side. `main` asks the service for
 * numbers by receiving from it.
 *
 * `produce` is that function: it starts the sending task and returns its
 * channel. The numbers come from a seeded random source so the output is
 * the same on every run. Beyond Go: when `main` is done it cancels the
 * channel, which rejects the generator's waiting send and aborts its
 * signal, so the generator's `finally` runs; Go's goroutine would stay
 * blocked on `out <- rand.Int()` for the rest of the program.
 *
 * Prints:
 *   811
 *   710
 *   650
 *   generator stopped
 *   service closed: true
 */
import { produce, seededRandom } from '../src/index.js';

const random = seededRandom(2024);

const randService = produce<number>(async (send) => {
  try {
    for (;;) await send(Math.floor(random() * 1000));
  } finally {
    console.log('generator stopped');
  }
});

// Each receive asks the service for one number.
for (let i = 0; i < 3; i++) console.log(await randService.receive());

randService.cancel();
await randService.done;
console.log('service closed:', randService.closed);
