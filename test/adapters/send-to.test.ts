import { Subject, config, of, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BufferOverflowError,
  chan,
  nilChan,
  type ReceiveChannel,
  type SendChannel,
} from '../../src/index.js';
import { sendTo } from '../../src/rxjs.js';

function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function marbles(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** Takes every value the channel holds now and says whether it is closed. */
function drainNow<T>(ch: ReceiveChannel<T>): { values: T[]; closed: boolean } {
  const values: T[] = [];
  for (let r = ch.tryReceive(); r !== undefined; r = ch.tryReceive()) {
    if (!r.ok) return { values, closed: true };
    values.push(r.value);
  }
  return { values, closed: false };
}

/** Collects errors RxJS-style unhandled error reporting receives. */
function captureUnhandled(): unknown[] {
  const reported: unknown[] = [];
  config.onUnhandledError = (error) => reported.push(error);
  return reported;
}

describe('sendTo', () => {
  afterEach(() => {
    config.onUnhandledError = null;
  });

  describe('arguments', () => {
    it('rejects something that is not a channel with a TypeError', () => {
      expect(() => sendTo([] as unknown as SendChannel<number>)).toThrow(
        new TypeError('sendTo(): expected a channel, got an array'),
      );
    });

    it('rejects a nil channel', () => {
      expect(() => sendTo(nilChan<number>())).toThrow(
        new TypeError('sendTo(): cannot send to a nil channel'),
      );
    });

    it('rejects a close option that is not a boolean', () => {
      expect(() => sendTo(chan<number>(), { close: 'yes' as unknown as boolean })).toThrow(
        new TypeError('sendTo(): close must be a boolean, got "yes"'),
      );
    });

    it('rejects a signal that is not an AbortSignal', () => {
      expect(() => sendTo(chan<number>(), { signal: 1 as unknown as AbortSignal })).toThrow(
        new TypeError('sendTo(): signal must be an AbortSignal, got 1'),
      );
    });
  });

  describe('forwarding', () => {
    it('sends each value in order and closes the channel on completion', () => {
      marbles().run(({ cold, flush: run }) => {
        const ch = chan<string>(4);
        cold('a-b-c|').subscribe(sendTo(ch));

        run();

        expect(drainNow(ch)).toEqual({ values: ['a', 'b', 'c'], closed: true });
      });
    });

    it('leaves the channel open on completion with close: false', () => {
      const ch = chan<number>(2);

      of(1).subscribe(sendTo(ch, { close: false }));

      expect(drainNow(ch)).toEqual({ values: [1], closed: false });
    });

    it('hands values to waiting receivers of an unbuffered channel', async () => {
      const ch = chan<number>();
      const received = [ch.receive(), ch.receive()];

      of(1, 2).subscribe(sendTo(ch, { close: false }));

      expect(await Promise.all(received)).toEqual([1, 2]);
    });

    it("never overflows a channel with a drop policy: 'conflated' keeps the latest", () => {
      const ch = chan<number>({ policy: 'conflated' });

      of(1, 2, 3).subscribe(sendTo(ch));

      expect(drainNow(ch)).toEqual({ values: [3], closed: true });
    });
  });

  describe('a full channel', () => {
    it('stops forwarding, closes the channel and reports BufferOverflowError', async () => {
      const reported = captureUnhandled();
      const ch = chan<number>(2);

      of(1, 2, 3, 4).subscribe(sendTo(ch));
      await flush();

      expect(drainNow(ch)).toEqual({ values: [1, 2], closed: true });
      expect(reported).toEqual([new BufferOverflowError(2)]);
    });

    it('ignores later values even after room frees up, keeping a gap-free prefix', async () => {
      const reported = captureUnhandled();
      const ch = chan<number>(1);
      const source = new Subject<number>();
      source.subscribe(sendTo(ch, { close: false }));

      source.next(1);
      source.next(2);
      const first = ch.tryReceive();
      source.next(3);
      await flush();

      expect(first).toEqual({ value: 1, ok: true });
      expect(drainNow(ch)).toEqual({ values: [], closed: false });
      expect(reported).toHaveLength(1);
    });
  });

  describe('a source error', () => {
    it('closes the channel and reports the error as unhandled', async () => {
      const reported = captureUnhandled();
      const ch = chan<number>(2);

      throwError(() => new Error('source down')).subscribe(sendTo(ch));
      await flush();

      expect(ch.closed).toBe(true);
      expect(reported).toEqual([new Error('source down')]);
    });
  });

  describe('a channel closed by someone else', () => {
    it('stops quietly and hands the value to onUndelivered', async () => {
      const reported = captureUnhandled();
      const undelivered: number[] = [];
      const ch = chan<number>(2, { onUndelivered: (v) => undelivered.push(v) });
      const source = new Subject<number>();
      source.subscribe(sendTo(ch));

      ch.close();
      source.next(1);
      source.next(2);
      source.complete();
      await flush();

      expect(undelivered).toEqual([1]);
      expect(reported).toEqual([]);
    });
  });

  describe('abort', () => {
    it('stops forwarding and leaves the channel open', () => {
      const controller = new AbortController();
      const ch = chan<number>(4);
      const source = new Subject<number>();
      source.subscribe(sendTo(ch, { signal: controller.signal }));

      source.next(1);
      controller.abort();
      source.next(2);
      source.complete();

      expect(drainNow(ch)).toEqual({ values: [1], closed: false });
    });

    it('forwards nothing when the signal has already aborted', () => {
      const ch = chan<number>(4);

      of(1, 2).subscribe(sendTo(ch, { signal: AbortSignal.abort() }));

      expect(drainNow(ch)).toEqual({ values: [], closed: false });
    });
  });
});
