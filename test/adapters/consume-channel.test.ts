import { Observable, firstValueFrom, lastValueFrom, map, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ChannelClosedError, chan, nilChan, type ReceiveChannel } from '../../src/index.js';
import { consumeChannel, toChannel } from '../../src/rxjs.js';

describe('consumeChannel', () => {
  describe('arguments', () => {
    it('rejects something that is not a channel with a TypeError', () => {
      expect(() => consumeChannel(null as unknown as ReceiveChannel<number>)).toThrow(
        new TypeError('consumeChannel(): expected a channel, got null'),
      );
    });
  });

  describe('when the subscriber unsubscribes early', () => {
    it('cancels the channel, handing buffered values to onUndelivered', async () => {
      const dropped: number[] = [];
      const ch = chan<number>(4, { onUndelivered: (v) => dropped.push(v) });
      for (let i = 0; i < 4; i++) ch.trySend(i);

      const taken = await lastValueFrom(consumeChannel(ch).pipe(take(1), toArray()));

      expect(taken).toEqual([0]);
      expect(ch.closed).toBe(true);
      expect(ch.length).toBe(0);
      expect(dropped).toEqual([1, 2, 3]);
    });

    it('rejects a sender still waiting on the full channel', async () => {
      const dropped: number[] = [];
      const ch = chan<number>(1, { onUndelivered: (v) => dropped.push(v) });
      ch.trySend(1);
      const second = ch.send(2);
      const third = ch.send(3);

      consumeChannel(ch).pipe(take(1)).subscribe();

      await expect(second).resolves.toBeUndefined();
      await expect(third).rejects.toBeInstanceOf(ChannelClosedError);
      expect(dropped).toEqual([3, 2]);
    });

    it('withdraws its pending receive before cancelling', async () => {
      const ch = chan<number>();
      const seen: number[] = [];
      const subscription = consumeChannel(ch).subscribe((v) => seen.push(v));

      subscription.unsubscribe();

      expect(seen).toEqual([]);
      await expect(ch.send(1)).rejects.toBeInstanceOf(ChannelClosedError);
    });
  });

  describe('when the pipe errors downstream', () => {
    it('cancels the channel', async () => {
      const dropped: number[] = [];
      const ch = chan<number>(3, { onUndelivered: (v) => dropped.push(v) });
      [1, 2, 3].forEach((v) => ch.trySend(v));

      const result = firstValueFrom(
        consumeChannel(ch).pipe(
          map(() => {
            throw new Error('handler failed');
          }),
        ),
      );

      await expect(result).rejects.toThrow('handler failed');
      expect(ch.closed).toBe(true);
      expect(dropped).toEqual([2, 3]);
    });
  });

  describe('when the channel closes', () => {
    it('delivers every buffered value, then completes', () => {
      const dropped: string[] = [];
      const ch = chan<string>(2, { onUndelivered: (v) => dropped.push(v) });
      ch.trySend('a');
      ch.trySend('b');
      ch.close();
      const log: string[] = [];

      consumeChannel(ch).subscribe({
        next: (v) => log.push(v),
        complete: () => log.push('complete'),
      });

      expect(log).toEqual(['a', 'b', 'complete']);
      expect(dropped).toEqual([]);
    });
  });

  describe('on a channel made by toChannel', () => {
    it('stops the source when the subscriber stops', async () => {
      const log: string[] = [];
      const source = new Observable<number>((subscriber) => {
        subscriber.next(1);
        subscriber.next(2);
        return () => log.push('source torn down');
      });
      const ch = toChannel(source);

      const taken = await firstValueFrom(consumeChannel(ch));

      expect(taken).toBe(1);
      expect(log).toEqual(['source torn down']);
      expect(ch.closed).toBe(true);
    });
  });

  describe('on a nil channel', () => {
    it('never emits and unsubscribes without cancelling', () => {
      const ch = nilChan<number>();
      const seen: number[] = [];

      const subscription = consumeChannel(ch).subscribe((v) => seen.push(v));

      expect(() => subscription.unsubscribe()).not.toThrow();
      expect(seen).toEqual([]);
    });
  });
});
