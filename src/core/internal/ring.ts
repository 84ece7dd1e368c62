/**
 * A growable FIFO ring buffer with a power-of-two backing array.
 *
 * Invariants: `size` slots starting at `head` (modulo the array length) hold
 * values; every other slot holds `undefined`, so a removed value is never
 * kept alive by the buffer.
 */
export class Ring<T> {
  /** Backing store; its length is a power of two. Replaced only by `grow`. */
  private items: (T | undefined)[];
  /** Index of the oldest value. Advanced by `shift`. */
  private head = 0;
  /** Number of values held. Changed by `push`, `shift` and `clear`. */
  private size = 0;

  constructor(initialCapacity: number) {
    let n = 4;
    while (n < initialCapacity && n < 1024) n *= 2;
    this.items = new Array<T | undefined>(n);
  }

  get length(): number {
    return this.size;
  }

  push(value: T): void {
    if (this.size === this.items.length) this.grow();
    this.items[(this.head + this.size) & (this.items.length - 1)] = value;
    this.size++;
  }

  /** Removes and returns the oldest value. Precondition: `length > 0`. */
  shift(): T {
    const items = this.items;
    const value = items[this.head] as T;
    items[this.head] = undefined;
    this.head = (this.head + 1) & (items.length - 1);
    this.size--;
    return value;
  }

  /** Removes every value and returns them, oldest first. */
  clear(): T[] {
    const out: T[] = [];
    while (this.size > 0) out.push(this.shift());
    this.head = 0;
    return out;
  }

  private grow(): void {
    const old = this.items;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.size; i++) {
      next[i] = old[(this.head + i) & (old.length - 1)];
    }
    this.items = next;
    this.head = 0;
  }
}
