import { Subject, concat, from, lastValueFrom, of, throwError, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ChannelClosedError, chan, type ReceiveChannel } from '../../src/index.js';
import { toChannel } from '../../src/rxjs.js';

function failedAfter<T>(values: T[], message: string): ReceiveChannel<T> {
  return toChannel(
    concat(
      of(...values),
      throwError(() => new Error(message)),
    ),
  );
}

describe('closeError of toChannel channels', () => {
  describe('on channels that did not fail', () => {
    it('is undefined for a plain channel, open or closed', () => {
      const ch = chan<number>();
      const before = ch.closeError;

      ch.close();

      expect(before).toBeUndefined();
      expect(ch.closeError).toBeUndefined();
    });

    it('is undefined for a toChannel channel whose source completed', () => {
      const ch = toChannel(of(1));

      expect(ch.closeError).toBeUndefined();
    });
  });

  describe('on a failed channel', () => {
    it('holds the error as soon as the source fails, with values still buffered', () => {
      const ch = failedAfter([1, 2], 'gone');

      expect(ch.length).toBe(2);
      expect(ch.closed).toBe(true);
      expect((ch.closeError as Error).message).toBe('gone');
    });

    it('reads undefined for a source that errors with undefined, while receive rejects with it', async () => {
      const source = new Subject<number>();
      const ch = toChannel(source);

      source.error(undefined);

      await expect(ch.receive()).rejects.toBeUndefined();
      expect(ch.closeError).toBeUndefined();
    });
  });
});

describe('a failed toChannel channel', () => {
  describe('comma-ok reads', () => {
    it('report ok: false after the buffered values and never reject', async () => {
      const ch = failedAfter(['a'], 'gone');

      const results = [await ch.receiveOk(), ch.tryReceive(), await ch.receiveOk()];

      expect(results).toEqual([
        { value: 'a', ok: true },
        { value: undefined, ok: false },
        { value: undefined, ok: false },
      ]);
    });
  });

  describe('iterators', () => {
    it('throw the error once, then report done', async () => {
      const ch = failedAfter([1], 'gone');
      const iterator = ch.values();

      const first = await iterator.next();
      const failure = iterator.next();

      expect(first).toEqual({ value: 1, done: false });
      await expect(failure).rejects.toThrow('gone');
      expect(await iterator.next()).toEqual({ value: undefined, done: true });
    });

    it('end quietly after return()', async () => {
      const ch = failedAfter([1], 'gone');
      const iterator = ch[Symbol.asyncIterator]();

      await iterator.return!();

      expect(await iterator.next()).toEqual({ value: undefined, done: true });
      expect(ch.length).toBe(1);
    });

    it('give each iterator the error', async () => {
      const ch = failedAfter<number>([], 'gone');

      const a = ch.values().next();
      const b = ch.values().next();

      await expect(a).rejects.toThrow('gone');
      await expect(b).rejects.toThrow('gone');
    });
  });

  describe('receive', () => {
    it('still rejects with ChannelClosedError after a plain cancel', async () => {
      const ch = toChannel(new Subject<number>());

      ch.cancel();

      await expect(ch.receive()).rejects.toBeInstanceOf(ChannelClosedError);
    });

    it('passes an abort of its own signal through unchanged', async () => {
      const ch = toChannel(new Subject<number>());
      const controller = new AbortController();
      const waiting = ch.receive({ signal: controller.signal });

      controller.abort('mine');

      await expect(waiting).rejects.toBe('mine');
    });
  });

  describe('the interop Observable', () => {
    it('errors every subscriber, each after the values it took', async () => {
      const ch = failedAfter([1, 2], 'gone');

      const first = lastValueFrom(from(ch).pipe(toArray()));
      const second = lastValueFrom(from(ch).pipe(toArray()));

      await expect(first).rejects.toThrow('gone');
      await expect(second).rejects.toThrow('gone');
      expect(ch.length).toBe(0);
    });

    it('accepts a bare next function through the raw protocol', () => {
      const ch = toChannel(of(5));
      const seen: number[] = [];

      const subscription = ch['@@observable']().subscribe((v) => seen.push(v));

      expect(seen).toEqual([5]);
      expect(subscription.closed).toBe(true);
    });
  });
});
