/**
 * Mirrors the tutorial's first program: `main` makes an unbuffered string
 * channel, starts a goroutine that sends "ping" on it, then receives the
 * message and prints it.
 *
 * An unbuffered send and its receive meet: the sender waits until a receiver
 * takes the value (a rendezvous), so the channel never holds a value.
 * `go(fn)` is Go's `go` statement.
 *
 * Prints:
 *   ping
 */
import { chan, go } from '../src/index.js';

const messages = chan<string>();

void go(() => messages.send('ping'));

const msg = await messages.receive();
console.log(msg);
