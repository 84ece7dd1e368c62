import { firstValueFrom, from, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { chan, nilChan } from '../../src/index.js';

describe('channel as an interop Observable', () => {
  describe('from(ch)', () => {
    it('takes exactly the values the subscriber uses and leaves the rest', async () => {
      const ch = chan<number>(10);
      for (let i = 0; i < 5; i++) ch.trySend(i);

      const taken = await firstValueFrom(from(ch).pipe(take(2), toArray()));

      expect(taken).toEqual([0, 1]);
      expect(ch.length).toBe(3);
    });

    it('stops during subscribe when the subscriber closes before teardown exists', () => {
      const ch = chan<number>(4);
      [1, 2, 3].forEach((v) => ch.trySend(v));
      const seen: number[] = [];

      from(ch)
        .pipe(take(1))
        .subscribe((v) => seen.push(v));

      expect(seen).toEqual([1]);
      expect(ch.length).toBe(2);
    });

    it('completes after the buffer drains once the channel closes', () => {
      const ch = chan<string>(2);
      ch.trySend('a');
      ch.close();
      const log: string[] = [];

      from(ch).subscribe({ next: (v) => log.push(v), complete: () => log.push('complete') });

      expect(log).toEqual(['a', 'complete']);
    });

    it('emits the close error after the buffer drains', () => {
      const ch = chan<string>(2);
      ch.trySend('a');
      ch.close(new Error('failed'));
      const log: string[] = [];

      from(ch).subscribe({
        next: (v) => log.push(v),
        error: (e: Error) => log.push(`error ${e.message}`),
      });

      expect(log).toEqual(['a', 'error failed']);
    });

    it('withdraws the pending receive on unsubscribe, consuming nothing', async () => {
      const ch = chan<number>();
      const seen: number[] = [];
      const subscription = from(ch).subscribe((v) => seen.push(v));

      await ch.send(1);
      subscription.unsubscribe();

      expect(ch.trySend(2)).toBe(false);
      expect(seen).toEqual([1]);
    });

    it('makes several subscribers compete, each value going to one', async () => {
      const ch = chan<number>();
      const a: number[] = [];
      const b: number[] = [];
      from(ch).subscribe((v) => a.push(v));
      from(ch).subscribe((v) => b.push(v));

      for (let i = 0; i < 4; i++) await ch.send(i);

      expect([...a, ...b].sort()).toEqual([0, 1, 2, 3]);
      expect(a.length).toBeGreaterThan(0);
      expect(b.length).toBeGreaterThan(0);
    });

    it('never emits from a nil channel', () => {
      const seen: number[] = [];

      const subscription = from(nilChan<number>()).subscribe((v) => seen.push(v));

      expect(seen).toEqual([]);
      subscription.unsubscribe();
    });
  });

  describe('the raw protocol', () => {
    it('accepts a next function and reports closed after unsubscribe', () => {
      const ch = chan<number>(1);
      ch.trySend(5);
      const seen: number[] = [];

      const subscription = ch['@@observable']().subscribe((v) => seen.push(v));
      subscription.unsubscribe();

      expect(seen).toEqual([5]);
      expect(subscription.closed).toBe(true);
    });
  });
});
