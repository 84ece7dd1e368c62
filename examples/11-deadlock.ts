/**
 * Mirrors the tutorial's broken program: `main` sends "msg" on an unbuffered
 * channel and only then tries to receive it. The send waits for a receiver
 * that can never arrive, and Go stops the program with
 * "fatal error: all goroutines are asleep - deadlock!".
 *
 * Node has no such check. Here the top-level `await` waits on a promise that
 * nothing can ever settle; once no timer, socket or other work is left, Node
 * exits with code 13 (an unsettled top-level await) and skips the rest of
 * the module. Node 20 prints no message for it, so look at the exit code.
 * This file is expected to exit with 13; `npm run examples` checks that.
 *
 * The tutorial gives two fixes:
 * 1. make the channel buffered, `chan<string>(1)`, so the send completes
 *    without a receiver (see 02-buffered-channel.ts);
 * 2. send inside a `select` with a default case,
 *    `select({ sent: onSend(messages, 'msg'), none: onDefault() })`, which
 *    gives up instead of waiting (see 07-non-blocking.ts).
 *
 * Prints:
 *   sending "msg" with no receiver
 * and nothing after it; exits with code 13.
 */
import { chan } from '../src/index.js';

const messages = chan<string>();

console.log('sending "msg" with no receiver');
await messages.send('msg');

// Never reached: the send above never completes.
console.log('received', await messages.receive());
