import { Observable, Subject, of, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../../src/index.js';
import { withDeadline } from '../../src/rxjs.js';
import type { WithDeadlineOptions } from '../../src/rxjs.js';
import { VirtualClock } from '../../src/testing.js';

/** Subscribes and records every notification in a step log. */
function record<T>(source: Observable<T>, log: string[]): { unsubscribe(): void; error?: unknown } {
  const seen: { unsubscribe(): void; error?: unknown } = { unsubscribe: () => {} };
  const subscription = source.subscribe({
    next: (value) => log.push(`next ${String(value)}`),
    error: (error: unknown) => {
      seen.error = error;
      log.push(`error ${(error as Error).message}`);
    },
    complete: () => log.push('complete'),
  });
  seen.unsubscribe = () => subscription.unsubscribe();
  return seen;
}

/** A source that never completes and logs its subscription and teardown. */
function endless(log: string[]): Observable<number> {
  return new Observable<number>(() => {
    log.push('subscribed');
    return () => log.push('torn down');
  });
}

describe('withDeadline', () => {
  describe('when the source completes before the deadline', () => {
    it('passes every value and the completion through and clears its timer', async () => {
      const clock = new VirtualClock();
      const source = new Subject<number>();
      const log: string[] = [];
      record(source.pipe(withDeadline(50, { clock })), log);

      source.next(1);
      await clock.advance(49);
      source.next(2);
      source.complete();

      expect(log).toEqual(['next 1', 'next 2', 'complete']);
      expect(clock.pending).toBe(0);
    });

    it('handles a source that completes while subscribing', () => {
      const clock = new VirtualClock();
      const log: string[] = [];

      record(of(1, 2).pipe(withDeadline(10, { clock })), log);

      expect(log).toEqual(['next 1', 'next 2', 'complete']);
      expect(clock.pending).toBe(0);
    });
  });

  describe('when the deadline passes first', () => {
    it('errors with TimeoutError exactly ms after subscription and tears down the source', async () => {
      const clock = new VirtualClock();
      const log: string[] = [];
      const seen = record(endless(log).pipe(withDeadline(30, { clock })), log);

      await clock.advance(29);
      log.push('29 ms');
      await clock.advance(1);

      expect(log).toEqual(['subscribed', '29 ms', 'error timed out after 30 ms', 'torn down']);
      expect(seen.error).toBeInstanceOf(TimeoutError);
      expect((seen.error as TimeoutError).ms).toBe(30);
    });

    it('errors even while the source keeps emitting, unlike a per-value timeout', async () => {
      const clock = new VirtualClock();
      const source = new Subject<number>();
      const log: string[] = [];
      record(source.pipe(withDeadline(10, { clock })), log);

      for (let i = 0; i < 4; i++) {
        source.next(i);
        await clock.advance(3);
      }

      expect(log).toEqual(['next 0', 'next 1', 'next 2', 'next 3', 'error timed out after 10 ms']);
      expect(source.observed).toBe(false);
    });

    it('gives each subscription its own deadline', async () => {
      const clock = new VirtualClock();
      const log: string[] = [];
      const limited = new Observable<number>(() => {}).pipe(withDeadline(10, { clock }));
      record(limited, log);
      await clock.advance(5);
      record(limited, log);

      await clock.advance(5);
      log.push(`at ${clock.now()}`);
      await clock.advance(5);

      expect(log).toEqual(['error timed out after 10 ms', 'at 10', 'error timed out after 10 ms']);
    });
  });

  describe('when the source errors', () => {
    it('passes the error through and clears its timer', () => {
      const clock = new VirtualClock();
      const log: string[] = [];

      record(throwError(() => new Error('source failed')).pipe(withDeadline(10, { clock })), log);

      expect(log).toEqual(['error source failed']);
      expect(clock.pending).toBe(0);
    });
  });

  describe('when unsubscribed', () => {
    it('clears its timer and tears down the source', async () => {
      const clock = new VirtualClock();
      const log: string[] = [];
      const seen = record(endless(log).pipe(withDeadline(10, { clock })), log);

      seen.unsubscribe();
      await clock.runAll();

      expect(log).toEqual(['subscribed', 'torn down']);
      expect(clock.pending).toBe(0);
    });
  });

  describe('with an infinite deadline', () => {
    it('arms no timer', () => {
      const clock = new VirtualClock();
      const log: string[] = [];

      record(endless(log).pipe(withDeadline(Infinity, { clock })), log);

      expect(clock.pending).toBe(0);
    });
  });

  describe('with bad arguments', () => {
    it.each([
      ['5', undefined, TypeError, 'withDeadline(): ms must be a number, got "5"'],
      [0, undefined, RangeError, 'withDeadline(): ms must be a positive number, got 0'],
      [-1, undefined, RangeError, 'withDeadline(): ms must be a positive number, got -1'],
      [NaN, undefined, RangeError, 'withDeadline(): ms must be a positive number, got NaN'],
      [5, 'fast', TypeError, 'withDeadline(): options must be an object, got "fast"'],
      [
        5,
        { clock: { now: () => 0 } },
        TypeError,
        'withDeadline(): clock must have now, setTimeout and clearTimeout methods, got an object',
      ],
    ])('throws for ms %o and options %o', (ms, options, type, message) => {
      const make = (): unknown => withDeadline(ms as number, options as WithDeadlineOptions);

      expect(make).toThrow(type);
      expect(make).toThrow(message);
    });
  });
});
