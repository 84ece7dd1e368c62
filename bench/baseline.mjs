// The baseline: the smallest promise channel we know how to write, used as
// the practical speed limit every other system is compared with. It is not
// part of the library and has none of its guarantees (no abort, no policies,
// no send cases in select, close() must not find parked senders).
//
// Cost per operation is the floor the promise machinery allows:
// - a parked receiver is its bare `resolve` function;
// - a parked sender is two consecutive ring slots: value, then `resolve`;
// - every promise is made with one module-level executor (no closure per op);
// - send/recv are plain functions returning a promise, never `async`;
// - a select is one waiter object queued on each channel, removed from the
//   others as soon as one channel delivers; its timer is armed only when it
//   parks and cleared on wake.

/** What recv resolves to once the channel is closed and drained. */
export const CLOSED = Symbol('baseline.closed');
/** What tryRecv returns when it would have to wait. */
export const EMPTY = Symbol('baseline.empty');
/** select's `index` when the default case was taken. */
export const DEFAULT = -1;
/** select's `index` when the timeout fired. */
export const TIMEOUT = -2;

const RESOLVED = Promise.resolve();

// The one executor: it hands `resolve` out through a module variable.
let captured = null;
function capture(resolve) {
  captured = resolve;
}

/** A growable FIFO over a power-of-two array. */
class Ring {
  constructor(minSize) {
    let n = 8;
    while (n < minSize) n *= 2;
    this.items = new Array(n);
    this.mask = n - 1;
    this.head = 0;
    this.size = 0;
  }

  push(x) {
    if (this.size === this.items.length) this.grow();
    this.items[(this.head + this.size) & this.mask] = x;
    this.size++;
  }

  shift() {
    const x = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.size--;
    return x;
  }

  /** Removes one occurrence of `x`, keeping the order of the rest. */
  remove(x) {
    const { items, mask, head, size } = this;
    let k = 0;
    while (k < size && items[(head + k) & mask] !== x) k++;
    if (k === size) return;
    for (; k < size - 1; k++) items[(head + k) & mask] = items[(head + k + 1) & mask];
    items[(head + size - 1) & mask] = undefined;
    this.size--;
  }

  grow() {
    const old = this.items;
    const n = old.length;
    const next = new Array(n * 2);
    for (let i = 0; i < this.size; i++) next[i] = old[(this.head + i) & (n - 1)];
    this.items = next;
    this.mask = n * 2 - 1;
    this.head = 0;
  }
}

export class Chan {
  constructor(capacity = 0) {
    this.capacity = capacity;
    this.buf = capacity > 0 ? new Ring(capacity) : null;
    // Parked receivers: resolve functions or SelectWaiters.
    this.recvq = new Ring(8);
    // Parked senders: value, resolve, value, resolve, ...
    this.sendq = new Ring(8);
    this.closed = false;
  }

  send(v) {
    if (this.trySend(v)) return RESOLVED;
    const p = new Promise(capture);
    this.sendq.push(v);
    this.sendq.push(captured);
    return p;
  }

  trySend(v) {
    if (this.closed) throw new Error('send on closed channel');
    if (this.recvq.size > 0) {
      const w = this.recvq.shift();
      if (typeof w === 'function') w(v);
      else w.deliver(this, v);
      return true;
    }
    const buf = this.buf;
    if (buf !== null && buf.size < this.capacity) {
      buf.push(v);
      return true;
    }
    return false;
  }

  recv() {
    const v = this.tryRecv();
    if (v !== EMPTY) return Promise.resolve(v);
    const p = new Promise(capture);
    this.recvq.push(captured);
    return p;
  }

  /** A value, CLOSED, or EMPTY when a receive would have to wait. */
  tryRecv() {
    const buf = this.buf;
    const sendq = this.sendq;
    if (buf !== null && buf.size > 0) {
      const v = buf.shift();
      if (sendq.size > 0) {
        buf.push(sendq.shift());
        sendq.shift()();
      }
      return v;
    }
    if (sendq.size > 0) {
      const v = sendq.shift();
      sendq.shift()();
      return v;
    }
    return this.closed ? CLOSED : EMPTY;
  }

  canRecv() {
    return this.closed || this.sendq.size > 0 || (this.buf !== null && this.buf.size > 0);
  }

  close() {
    if (this.sendq.size > 0) throw new Error('baseline: close() with parked senders');
    this.closed = true;
    while (this.recvq.size > 0) {
      const w = this.recvq.shift();
      if (typeof w === 'function') w(CLOSED);
      else w.deliver(this, CLOSED);
    }
  }
}

class SelectWaiter {
  constructor(chans, resolve) {
    this.chans = chans;
    this.resolve = resolve;
    this.timer = null;
  }

  /** `from` already removed this waiter from its queue. */
  deliver(from, v) {
    const chans = this.chans;
    let index = 0;
    for (let i = 0; i < chans.length; i++) {
      if (chans[i] === from) index = i;
      else chans[i].recvq.remove(this);
    }
    if (this.timer !== null) clearTimeout(this.timer);
    this.resolve({ index, value: v });
  }
}

function fireTimeout(w) {
  for (let i = 0; i < w.chans.length; i++) w.chans[i].recvq.remove(w);
  w.resolve({ index: TIMEOUT, value: undefined });
}

/**
 * Receives from whichever of `chans` is ready first. Resolves to
 * `{ index, value }`: index into `chans` (value may be CLOSED), DEFAULT, or
 * TIMEOUT. `timeoutMs < 0` means no timeout.
 */
export function select(chans, timeoutMs = -1, hasDefault = false) {
  const n = chans.length;
  const start = n > 1 ? Math.floor(Math.random() * n) : 0;
  for (let k = 0; k < n; k++) {
    const i = (start + k) % n;
    const ch = chans[i];
    if (ch.canRecv()) return Promise.resolve({ index: i, value: ch.tryRecv() });
  }
  if (hasDefault) return Promise.resolve({ index: DEFAULT, value: undefined });
  const p = new Promise(capture);
  const w = new SelectWaiter(chans, captured);
  for (let i = 0; i < n; i++) chans[i].recvq.push(w);
  if (timeoutMs >= 0) w.timer = setTimeout(fireTimeout, timeoutMs, w);
  return p;
}
