import type { Waiter } from './waiter.js';

/**
 * A channel's FIFO of parked operations, as a growable ring of entries.
 *
 * An entry is either a bare operation, stored as its promise's resolve
 * function plus one extra slot (a sender's value, or a receiver's mode), or
 * a Waiter object (a select case, an iterator `next`, an operation with an
 * abort signal, an Observable subscription). A bare entry costs two array
 * slots and no object, which is what keeps a parked plain send small; only
 * waiters can be removed before their turn.
 *
 * Removing a waiter leaves a tombstone (`null`) in its slot, found in O(1)
 * from the waiter's sequence number. Tombstones at the tail are dropped at
 * once, tombstones at the head when the head passes them, and the ring is
 * compacted when tombstones outnumber live entries, so a queue that never
 * advances (a select loop whose losing case sits on an idle channel) does
 * not grow: removal is O(1) amortized.
 *
 * Invariants:
 * 1. Entries `head .. head + count - 1` (modulo the ring) hold functions,
 *    waiters or tombstones; every other slot holds `undefined`.
 * 2. `size` counts the entries that are not tombstones.
 * 3. A queued waiter has `queue === this` and `seq` = the sequence number of
 *    its entry; the entry at `head` has sequence number `headSeq`.
 */
export class ParkQueue {
  /**
   * Two slots per entry: entry `i` of the ring is `slots[2i]` (a resolve
   * function, a Waiter, or null for a tombstone) and `slots[2i + 1]` (a bare
   * entry's extra slot; undefined for waiters). One array keeps an entry's
   * two halves together.
   */
  private slots: unknown[] = new Array<unknown>(16);
  /** Entries the ring can hold (half of `slots.length`), a power of two. */
  private capacity = 8;
  /** Ring index of the oldest entry. */
  private head = 0;
  /** Entries held, tombstones included. */
  private count = 0;
  /** Sequence number of the entry at `head`; grows by one per entry passed. */
  private headSeq = 0;
  /** Live entries: the parked operations. Read by the channel. */
  size = 0;
  /** The extra slot of the entry `take` returned last (bare entries only). */
  extra: unknown = undefined;

  /** Appends a waiter, which records where it is for `remove`. */
  push(waiter: Waiter): void {
    waiter.queue = this;
    waiter.seq = this.headSeq + this.count;
    this.append(waiter, undefined);
  }

  /** Appends a bare operation: its resolve function and its extra slot. */
  pushBare(resolve: (value: never) => void, extra: unknown): void {
    this.append(resolve, extra);
  }

  /**
   * Removes and returns the oldest live entry: a resolve function (its extra
   * slot is then in `extra`) or a Waiter (whose `queue` is cleared); null
   * when the queue is empty.
   */
  take(): unknown {
    const slots = this.slots;
    while (this.count > 0) {
      const at = this.head << 1;
      const entry = slots[at];
      const extra = slots[at + 1];
      slots[at] = undefined;
      slots[at + 1] = undefined;
      this.head = (this.head + 1) & (this.capacity - 1);
      this.headSeq++;
      this.count--;
      if (entry !== null) {
        this.size--;
        this.extra = extra;
        if (typeof entry !== 'function') (entry as Waiter).queue = null;
        return entry;
      }
    }
    return null;
  }

  /** Removes `waiter` if it is queued here; returns whether it was. */
  remove(waiter: Waiter): boolean {
    if (waiter.queue !== this) return false;
    waiter.queue = null;
    const slots = this.slots;
    const mask = this.capacity - 1;
    slots[((this.head + waiter.seq - this.headSeq) & mask) << 1] = null;
    this.size--;
    // Tombstones at the tail go at once; later pushes reuse their slots.
    while (this.count > 0 && slots[((this.head + this.count - 1) & mask) << 1] === null) {
      slots[((this.head + this.count - 1) & mask) << 1] = undefined;
      this.count--;
    }
    const tombstones = this.count - this.size;
    if (tombstones > 16 && tombstones > this.size) this.compact();
    return true;
  }

  private append(entry: unknown, extra: unknown): void {
    if (this.count === this.capacity) this.grow();
    const at = ((this.head + this.count) & (this.capacity - 1)) << 1;
    this.slots[at] = entry;
    this.slots[at + 1] = extra;
    this.count++;
    this.size++;
  }

  /** Doubles the ring, keeping entries in order from index 0. */
  private grow(): void {
    const old = this.slots;
    const mask = this.capacity - 1;
    const slots = new Array<unknown>(this.capacity * 4);
    for (let i = 0; i < this.count; i++) {
      const from = ((this.head + i) & mask) << 1;
      slots[i << 1] = old[from];
      slots[(i << 1) + 1] = old[from + 1];
    }
    this.slots = slots;
    this.capacity *= 2;
    this.head = 0;
  }

  /** Drops every tombstone, keeping live entries in order and renumbering waiters. */
  private compact(): void {
    const slots = this.slots;
    const mask = this.capacity - 1;
    let kept = 0;
    for (let i = 0; i < this.count; i++) {
      const from = ((this.head + i) & mask) << 1;
      const entry = slots[from];
      if (entry === null) continue;
      const to = ((this.head + kept) & mask) << 1;
      slots[to] = entry;
      slots[to + 1] = slots[from + 1];
      if (typeof entry !== 'function') (entry as Waiter).seq = this.headSeq + kept;
      kept++;
    }
    for (let i = kept; i < this.count; i++) {
      const at = ((this.head + i) & mask) << 1;
      slots[at] = undefined;
      slots[at + 1] = undefined;
    }
    this.count = kept;
  }
}
