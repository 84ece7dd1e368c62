/**
 * Intrusive doubly linked queues of parked operations, so that a cancelled
 * operation (abort, a losing select case, an iterator's `return`) leaves its
 * queue in O(1) instead of lingering as a tombstone.
 *
 * Invariants: a node is in at most one queue, and `node.queue` names it (or
 * is `null`); `prev`/`next` are `null` whenever `queue` is `null`.
 */
export class QueueNode {
  /** Previous node in `queue`; maintained by WaitQueue only. */
  prev: QueueNode | null = null;
  /** Next node in `queue`; maintained by WaitQueue only. */
  next: QueueNode | null = null;
  /** The queue holding this node, or null once dequeued or removed. */
  queue: WaitQueue<QueueNode> | null = null;
}

export class WaitQueue<N extends QueueNode> {
  /** Oldest node, served first. */
  private head: N | null = null;
  /** Newest node. */
  private tail: N | null = null;
  /** Number of queued nodes. */
  size = 0;

  /** Appends `node`. Precondition: `node.queue === null`. */
  push(node: N): void {
    node.queue = this as WaitQueue<QueueNode>;
    node.prev = this.tail;
    if (this.tail === null) this.head = node;
    else this.tail.next = node;
    this.tail = node;
    this.size++;
  }

  /** The oldest node without removing it, or null. */
  peek(): N | null {
    return this.head;
  }

  /** Removes and returns the oldest node, or null when empty. */
  shift(): N | null {
    const node = this.head;
    if (node !== null) this.unlink(node);
    return node;
  }

  /** Removes `node` if it is still queued here; returns whether it was. */
  remove(node: N): boolean {
    if (node.queue !== (this as WaitQueue<QueueNode>)) return false;
    this.unlink(node);
    return true;
  }

  private unlink(node: N): void {
    const prev = node.prev as N | null;
    const next = node.next as N | null;
    if (prev === null) this.head = next;
    else prev.next = next;
    if (next === null) this.tail = prev;
    else next.prev = prev;
    node.prev = null;
    node.next = null;
    node.queue = null;
    this.size--;
  }
}
