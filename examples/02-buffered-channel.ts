/**
 * Mirrors the tutorial's buffered-channel program: a string channel with
 * room for two values takes two sends with no receiver waiting, and `main`
 * then receives and prints both.
 *
 * The tutorial notes that a third send would block forever (Go reports a
 * deadlock). Here `trySend` shows the same limit without waiting: it returns
 * false because the buffer is full.
 *
 * Prints:
 *   buffered 2 of 2
 *   third value fits: false
 *   buffered
 *   channel
 */
import { chan } from '../src/index.js';

const messages = chan<string>(2);

await messages.send('buffered');
await messages.send('channel');
console.log('buffered', messages.length, 'of', messages.capacity);

console.log('third value fits:', messages.trySend('one too many'));

console.log(await messages.receive());
console.log(await messages.receive());
