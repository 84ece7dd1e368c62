import { Subject, lastValueFrom, of, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BufferOverflowError, chan, type StateUpdate } from '../../src/index.js';
import { ownState } from '../../src/rxjs.js';

/** Lets every queued promise job run (a macrotask turn, not a timed sleep). */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('ownState (operator)', () => {
  describe('arguments', () => {
    it('throws for a bad buffer option when the operator is made', () => {
      expect(() => ownState(0, { capacity: -1 })).toThrow(RangeError);
      expect(() => ownState(0, { overflow: 'spill' as never })).toThrow(TypeError);
    });
  });

  describe('updates', () => {
    it('emits the initial state, then the state after each update', async () => {
      const states = await lastValueFrom(
        of<StateUpdate<number>[]>(
          (n) => n + 1,
          async (n) => n * 10,
          (n) => n - 5,
        ).pipe(ownState(1), toArray()),
      );

      expect(states).toEqual([1, 2, 20, 15]);
    });

    it('starts no owner and reads no upstream when the subscriber stops at the initial state', async () => {
      const upstream = new Subject<StateUpdate<number>>();

      const states = await lastValueFrom(upstream.pipe(ownState(3), take(1), toArray()));

      expect(states).toEqual([3]);
      expect(upstream.observed).toBe(false);
    });

    it('never starts an update before the previous one finished', async () => {
      let running = 0;
      let mostAtOnce = 0;
      const slowIncrement: StateUpdate<number> = async (n) => {
        running++;
        mostAtOnce = Math.max(mostAtOnce, running);
        await flush();
        running--;
        return n + 1;
      };

      const states = await lastValueFrom(
        of(slowIncrement, slowIncrement, slowIncrement).pipe(ownState(0), toArray()),
      );

      expect(states).toEqual([0, 1, 2, 3]);
      expect(mostAtOnce).toBe(1);
    });
  });

  describe('errors', () => {
    it('errors at once when an update throws', async () => {
      const failure = new Error('rejected transition');
      const outcome = lastValueFrom(
        of<StateUpdate<number>[]>(
          (n) => n + 1,
          () => {
            throw failure;
          },
        ).pipe(ownState(0), toArray()),
      );

      await expect(outcome).rejects.toBe(failure);
    });

    it('errors with a TypeError for an upstream value that is not a function', async () => {
      const outcome = lastValueFrom(of(5 as unknown as StateUpdate<number>).pipe(ownState(0)));

      await expect(outcome).rejects.toThrow('StateOwner.write(): update must be a function, got 5');
    });

    it('errors at once with an upstream error', async () => {
      const upstream = new Subject<StateUpdate<number>>();
      const events: string[] = [];
      upstream.pipe(ownState(0)).subscribe({
        next: (n) => events.push(`next ${n}`),
        error: (error: unknown) => events.push(`error ${error}`),
      });

      upstream.error('broken');
      await flush();

      expect(events).toEqual(['next 0', 'error broken']);
    });

    it('errors with BufferOverflowError when updates outrun the buffer', async () => {
      const upstream = new Subject<StateUpdate<number>>();
      let caught: unknown;
      upstream
        .pipe(ownState(0, { capacity: 1 }))
        .subscribe({ error: (e: unknown) => (caught = e) });
      const gate = chan<void>();

      upstream.next(async (n) => {
        await gate.receive();
        return n;
      });
      for (let i = 0; i < 5; i++) upstream.next((n) => n + 1);
      await flush();

      expect(caught).toBeInstanceOf(BufferOverflowError);
      expect(upstream.observed).toBe(false);
      gate.close();
    });
  });

  describe('on unsubscribe', () => {
    it('aborts the update in progress and unsubscribes the upstream', async () => {
      const upstream = new Subject<StateUpdate<number>>();
      let updateSignal: AbortSignal | undefined;
      const gate = chan<void>();
      const subscription = upstream.pipe(ownState(0)).subscribe();
      upstream.next(async (n, signal) => {
        updateSignal = signal;
        await gate.receive();
        return n;
      });
      await flush();

      subscription.unsubscribe();

      expect(updateSignal?.aborted).toBe(true);
      expect(upstream.observed).toBe(false);
      gate.close();
      await flush();
    });
  });
});
