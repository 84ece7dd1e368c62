import {
  concat,
  firstValueFrom,
  from,
  lastValueFrom,
  map,
  of,
  take,
  throwError,
  toArray,
} from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { chan, nilChan, type ReceiveChannel } from '../../src/index.js';
import { fromChannel, sendTo, toChannel } from '../../src/rxjs.js';

function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function marbles(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('fromChannel', () => {
  describe('arguments', () => {
    it('rejects something that is not a channel with a TypeError', () => {
      expect(() => fromChannel({} as ReceiveChannel<number>)).toThrow(
        new TypeError('fromChannel(): expected a channel, got an object'),
      );
    });
  });

  describe('subscription', () => {
    it('receives nothing before a subscriber arrives', () => {
      const ch = chan<number>(2);
      ch.trySend(1);

      fromChannel(ch);

      expect(ch.length).toBe(1);
    });

    it('takes exactly the values take(2) uses and leaves the rest in the channel', async () => {
      const ch = chan<number>(5);
      for (let i = 0; i < 5; i++) ch.trySend(i);

      const taken = await lastValueFrom(fromChannel(ch).pipe(take(2), toArray()));

      expect(taken).toEqual([0, 1]);
      expect(ch.length).toBe(3);
      expect(ch.tryReceive()).toEqual({ value: 2, ok: true });
    });

    it('hands each value to next synchronously, within the send', async () => {
      const ch = chan<string>();
      const log: string[] = [];
      fromChannel(ch).subscribe((v) => log.push(`next ${v}`));

      const sent = ch.send('a').then(() => log.push('send resolved'));
      log.push('after send call');
      await sent;

      expect(log).toEqual(['next a', 'after send call', 'send resolved']);
    });

    it('completes after the buffered values once the channel closes', () => {
      const ch = chan<string>(2);
      ch.trySend('a');
      ch.trySend('b');
      ch.close();
      const log: string[] = [];

      fromChannel(ch).subscribe({ next: (v) => log.push(v), complete: () => log.push('complete') });

      expect(log).toEqual(['a', 'b', 'complete']);
    });

    it('never emits from a nil channel', () => {
      const log: number[] = [];

      const subscription = fromChannel(nilChan<number>()).subscribe((v) => log.push(v));
      subscription.unsubscribe();

      expect(log).toEqual([]);
    });
  });

  describe('unsubscribe', () => {
    it('withdraws the pending receive, consuming nothing', async () => {
      const ch = chan<number>();
      const seen: number[] = [];
      const subscription = fromChannel(ch).subscribe((v) => seen.push(v));
      await ch.send(1);

      subscription.unsubscribe();

      expect(ch.trySend(2)).toBe(false);
      expect(seen).toEqual([1]);
    });

    it('leaves the channel open for other receivers', async () => {
      const ch = chan<number>(1);
      const subscription = fromChannel(ch).subscribe();

      subscription.unsubscribe();
      ch.trySend(7);

      expect(ch.closed).toBe(false);
      expect(await ch.receive()).toBe(7);
    });

    it('stops taking values when an error downstream unsubscribes it', async () => {
      const ch = chan<number>(4);
      for (let i = 0; i < 4; i++) ch.trySend(i);

      const failure = firstValueFrom(
        fromChannel(ch).pipe(
          map((v) => {
            if (v === 1) throw new Error('bad value');
            return v;
          }),
          toArray(),
        ),
      );

      await expect(failure).rejects.toThrow('bad value');
      expect(ch.length).toBe(2);
    });
  });

  describe('several subscribers', () => {
    it('gives each value to exactly one of them, in the order they wait', async () => {
      const ch = chan<number>();
      const log: string[] = [];
      fromChannel(ch).subscribe((v) => log.push(`a${v}`));
      fromChannel(ch).subscribe((v) => log.push(`b${v}`));

      for (let i = 0; i < 4; i++) await ch.send(i);

      expect(log).toEqual(['a0', 'b1', 'a2', 'b3']);
    });
  });

  describe('a channel whose source failed', () => {
    it('errors with the source error after the buffered values', async () => {
      const ch = toChannel(
        concat(
          of(1, 2),
          throwError(() => new Error('source down')),
        ),
      );
      const log: string[] = [];

      fromChannel(ch).subscribe({
        next: (v) => log.push(`next ${v}`),
        error: (e: Error) => log.push(`error ${e.message}`),
        complete: () => log.push('complete'),
      });
      await flush();

      expect(log).toEqual(['next 1', 'next 2', 'error source down']);
    });

    it('behaves the same through from(ch)', async () => {
      const ch = toChannel(
        concat(
          of(1),
          throwError(() => new Error('source down')),
        ),
      );

      const result = lastValueFrom(from(ch).pipe(toArray()));

      await expect(result).rejects.toThrow('source down');
    });
  });

  describe('on RxJS virtual time', () => {
    it('emits each value in the frame a hot source sends it', () => {
      marbles().run(({ hot, expectObservable }) => {
        const ch = chan<string>();
        hot('-a-b--c|').subscribe(sendTo(ch));

        expectObservable(fromChannel(ch)).toBe('-a-b--c|');
      });
    });

    it('leaves values sent after take completes in the channel', () => {
      const ch = chan<string>(4);

      marbles().run(({ hot, expectObservable }) => {
        hot('-a-b-c-d|').subscribe(sendTo(ch));

        expectObservable(fromChannel(ch).pipe(take(2))).toBe('-a-(b|)');
      });

      expect([ch.tryReceive(), ch.tryReceive()]).toEqual([
        { value: 'c', ok: true },
        { value: 'd', ok: true },
      ]);
    });
  });
});
