import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/index.js';

const HOST_MAX_DELAY = 2 ** 31 - 1;

describe('systemClock', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('now', () => {
    it('reads the host wall clock', () => {
      vi.setSystemTime(1_700_000_000_000);

      const now = systemClock.now();

      expect(now).toBe(1_700_000_000_000);
    });
  });

  describe('setTimeout', () => {
    it('calls the callback once the delay passes, not before', () => {
      const steps: string[] = [];
      systemClock.setTimeout(() => steps.push('fired'), 100);

      vi.advanceTimersByTime(99);
      steps.push('99 ms passed');
      vi.advanceTimersByTime(1);

      expect(steps).toEqual(['99 ms passed', 'fired']);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('uses one host timer for a delay at the host limit', () => {
      const callback = vi.fn();
      systemClock.setTimeout(callback, HOST_MAX_DELAY);

      vi.advanceTimersByTime(HOST_MAX_DELAY - 1);
      const calledEarly = callback.mock.calls.length;
      vi.advanceTimersByTime(1);

      expect(calledEarly).toBe(0);
      expect(callback).toHaveBeenCalledTimes(1);
    });
  });

  describe('with a delay beyond the host limit', () => {
    it('waits it out in legs and does not fire early', () => {
      const delay = 2 * HOST_MAX_DELAY + 10_000;
      const callback = vi.fn();
      systemClock.setTimeout(callback, delay);

      vi.advanceTimersByTime(2 ** 31);
      const afterFirstLeg = callback.mock.calls.length;
      const timersAfterFirstLeg = vi.getTimerCount();
      vi.advanceTimersByTime(delay - 2 ** 31 - 1);
      const justBefore = callback.mock.calls.length;
      vi.advanceTimersByTime(1);

      expect(afterFirstLeg).toBe(0);
      expect(timersAfterFirstLeg).toBe(1);
      expect(justBefore).toBe(0);
      expect(callback).toHaveBeenCalledTimes(1);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('can be cleared in any leg, leaving no host timer', () => {
      const callback = vi.fn();
      const handle = systemClock.setTimeout(callback, 3 * HOST_MAX_DELAY);
      vi.advanceTimersByTime(HOST_MAX_DELAY + 1_000);

      systemClock.clearTimeout(handle);
      vi.advanceTimersByTime(3 * HOST_MAX_DELAY);

      expect(callback).not.toHaveBeenCalled();
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  describe('clearTimeout', () => {
    it('cancels a pending callback and its host timer', () => {
      const callback = vi.fn();
      const handle = systemClock.setTimeout(callback, 100);

      systemClock.clearTimeout(handle);
      vi.advanceTimersByTime(1_000);

      expect(callback).not.toHaveBeenCalled();
      expect(vi.getTimerCount()).toBe(0);
    });

    it('ignores handles it did not make and handles already spent', () => {
      const handle = systemClock.setTimeout(() => {}, 1);
      vi.advanceTimersByTime(1);

      expect(() => {
        systemClock.clearTimeout(handle);
        systemClock.clearTimeout(undefined);
        systemClock.clearTimeout({});
      }).not.toThrow();
    });

    it('runs the doc example: a cleared callback prints nothing', () => {
      const printed: string[] = [];

      const handle = systemClock.setTimeout(() => printed.push('late'), 10);
      systemClock.clearTimeout(handle);
      vi.advanceTimersByTime(10);

      expect(printed).toEqual([]);
    });
  });
});
