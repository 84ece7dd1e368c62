/**
 * Mirrors the tutorial's non-blocking channel operations: a `select` with a
 * `default` clause never waits. It runs four of them:
 *
 * 1. receive from `messages` or fall through to "no message received";
 * 2. send "msg" on `messages` or fall through to "no message sent" (the
 *    tutorial's fix for a send that would otherwise block forever);
 * 3. the same send once a receiver is waiting, so it goes through;
 * 4. send 2 on a one-slot channel that already holds 1, which reports
 *    "channel is full !".
 *
 * `onDefault()` is Go's `default:`; `select` resolves to the key of the case
 * that ran and, for a receive, the value received.
 *
 * Prints:
 *   no message received
 *   no message sent
 *   sent message
 *   received message msg
 *   channel is full !
 */
import { chan, onDefault, onReceive, onSend, select } from '../src/index.js';

const messages = chan<string>();

// 1. Nobody has sent anything, so the receive is not ready.
const first = await select({ message: onReceive(messages), none: onDefault() });
if (first.key === 'message') {
  console.log('received message', first.value);
} else {
  console.log('no message received');
}

// 2. The channel is unbuffered and nobody is receiving, so the send is not ready.
const second = await select({ sent: onSend(messages, 'msg'), none: onDefault() });
console.log(second.key === 'sent' ? 'sent message' : 'no message sent');

// 3. With a receiver already waiting, the same send completes at once.
const receiving = messages.receive();
const third = await select({ sent: onSend(messages, 'msg'), none: onDefault() });
console.log(third.key === 'sent' ? 'sent message' : 'no message sent');
console.log('received message', await receiving);

// 4. A full buffer makes the send not ready.
const ch = chan<number>(1);
await ch.send(1);
const fourth = await select({ sent: onSend(ch, 2), full: onDefault() });
if (fourth.key === 'full') {
  console.log('channel is full !');
}
