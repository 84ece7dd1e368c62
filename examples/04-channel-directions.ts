/**
 * Mirrors the tutorial's channel-directions program: `ping` may only send on
 * its channel, `pong` receives from one channel and sends on another, and
 * `main` wires them with two one-slot buffered channels and prints the
 * message that made the trip.
 *
 * Go's `chan<- string` and `<-chan string` become the `SendChannel` and
 * `ReceiveChannel` types; `ch.sendOnly` and `ch.receiveOnly` are the same
 * channel with the narrower type. As in Go, the compiler checks directions.
 *
 * Prints:
 *   passed message
 */
import { chan, type ReceiveChannel, type SendChannel } from '../src/index.js';

async function ping(pings: SendChannel<string>, msg: string): Promise<void> {
  await pings.send(msg);
}

async function pong(pings: ReceiveChannel<string>, pongs: SendChannel<string>): Promise<void> {
  const msg = await pings.receive();
  await pongs.send(msg);
}

// Never called: it only shows that the compiler rejects the wrong direction.
function _wrongWay(pings: SendChannel<string>): void {
  // @ts-expect-error a send-only channel has no receive()
  void pings.receive();
}

const pings = chan<string>(1);
const pongs = chan<string>(1);

await ping(pings.sendOnly, 'passed message');
await pong(pings.receiveOnly, pongs.sendOnly);
console.log(await pongs.receive());
