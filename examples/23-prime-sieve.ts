/**
 * Mirrors the tutorial's concurrent prime sieve: `Generate` sends 2, 3,
 * 4, ... into a channel; `main` takes the first number that comes out (a
 * prime), prints it, and starts a `Filter` goroutine that drops its
 * multiples, reading the old channel and writing a new one. The filters form
 * a daisy chain, one goroutine per prime found so far.
 *
 * `produce` is `Generate`; `daisyChain` with `extend` is the loop in `main`:
 * each value that reaches the end of the chain is a prime, and `extend`
 * returns the filter appended for it. Every link is an unbuffered channel,
 * as in Go. Beyond Go: cancelling the output stops every filter task (Go's
 * filters stay blocked forever), and a filter that throws would fail the
 * whole chain instead of crashing the program.
 *
 * Prints:
 *   2
 *   3
 *   5
 *   7
 *   11
 *   13
 *   17
 *   19
 *   23
 *   29
 *   stopped 10 filters
 */
import { daisyChain, produce } from '../src/index.js';

const generate = produce(function* () {
  for (let i = 2; ; i++) yield i;
});

let filters = 0;
const primes = daisyChain(generate, [], {
  extend: (prime: number) => {
    filters++;
    return (i: number) => i % prime !== 0;
  },
});

for (let i = 0; i < 10; i++) console.log(await primes.receive());

primes.cancel();
generate.cancel();
await Promise.all([primes.done, generate.done]);
console.log(`stopped ${filters} filters`);
