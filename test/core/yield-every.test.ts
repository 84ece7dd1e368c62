import { describe, expect, it } from 'vitest';
import { chan, yieldEvery } from '../../src/index.js';

/** Two tasks ping-pong `rounds` times; returns how many rounds ran before a timer fired. */
async function pingPong(rounds: number, pause?: () => Promise<void> | undefined): Promise<number> {
  const ping = chan<number>();
  const pong = chan<number>();
  let done = 0;
  let roundsWhenTimerFired = -1;
  setTimeout(() => (roundsWhenTimerFired = done), 0);
  const echo = (async () => {
    for (let i = 0; i < rounds; i++) await pong.send(await ping.receive());
  })();
  for (let i = 0; i < rounds; i++) {
    await ping.send(i);
    await pong.receive();
    done++;
    if (pause) await pause();
  }
  await echo;
  await new Promise((resolve) => setTimeout(resolve, 5));
  return roundsWhenTimerFired;
}

describe('yieldEvery', () => {
  it('rejects a count that is not a positive integer', () => {
    expect(() => yieldEvery(0)).toThrow(
      new RangeError('yieldEvery(): every must be a positive integer, got 0'),
    );
    expect(() => yieldEvery(1.5)).toThrow(RangeError);
  });

  it('returns a macrotask pause on every n-th call only', () => {
    const pause = yieldEvery(3);

    const results = [pause(), pause(), pause(), pause()];

    expect(results.map((r) => r instanceof Promise)).toEqual([false, false, true, false]);
  });

  describe('in a ping-pong loop', () => {
    it('starves a zero-delay timer until the loop ends without it', async () => {
      expect(await pingPong(20_000)).toBe(20_000);
    });

    it('lets a zero-delay timer run during the loop with it', async () => {
      const firedAt = await pingPong(20_000, yieldEvery(100));

      expect(firedAt).toBeGreaterThanOrEqual(0);
      expect(firedAt).toBeLessThan(20_000);
    });
  });
});
