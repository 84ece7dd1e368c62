import { describe, expect, it } from 'vitest';
import { ChannelClosedError, chan, nilChan } from '../../src/index.js';

/** Lets every queued microtask and promise job run. */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Records when a promise settles, for step logs. */
function track<T>(promise: Promise<T>, log: string[], name: string): Promise<void> {
  return promise.then(
    (value) => void log.push(`${name} resolved ${String(value)}`),
    (error: unknown) => void log.push(`${name} rejected ${(error as Error).name}`),
  );
}

describe('chan', () => {
  describe('arguments', () => {
    it.each([
      [-1, 'chan(): capacity must be a non-negative integer, got -1'],
      [1.5, 'chan(): capacity must be a non-negative integer, got 1.5'],
      [NaN, 'chan(): capacity must be a non-negative integer, got NaN'],
      [
        Infinity,
        "chan(): capacity must be a non-negative integer, got Infinity (use chan({ policy: 'unbounded' }))",
      ],
    ])('rejects capacity %s with a RangeError', (capacity, message) => {
      expect(() => chan(capacity)).toThrow(new RangeError(message));
    });

    it('rejects a capacity that is not a number with a RangeError naming it', () => {
      expect(() => chan('3' as unknown as number)).toThrow(
        new RangeError('chan(): capacity must be a non-negative integer, got "3"'),
      );
    });

    it('rejects an unknown policy with a TypeError', () => {
      expect(() => chan(1, { policy: 'lossy' as 'block' })).toThrow(
        new TypeError(
          "chan(): policy must be 'block', 'drop-newest', 'drop-oldest', 'conflated' or 'unbounded', got \"lossy\"",
        ),
      );
    });

    it('rejects a drop policy without a buffer', () => {
      expect(() => chan(0, { policy: 'drop-oldest' })).toThrow(
        new RangeError("chan(): policy 'drop-oldest' needs a capacity of at least 1, got 0"),
      );
    });

    it('rejects a capacity given with a policy that sets its own', () => {
      expect(() => chan(4, { policy: 'unbounded' })).toThrow(
        new RangeError(
          "chan(): policy 'unbounded' sets its own capacity, so none may be given, got 4",
        ),
      );
    });

    it('rejects an onUndelivered hook that is not a function', () => {
      expect(() => chan(1, { onUndelivered: 3 as unknown as () => void })).toThrow(
        new TypeError('chan(): onUndelivered must be a function, got 3'),
      );
    });

    it('rejects options that are not an object', () => {
      expect(() => chan(1, 'x' as unknown as object)).toThrow(
        new TypeError('chan(): options must be an object, got "x"'),
      );
    });
  });

  describe('state', () => {
    it('reports length, capacity and closed as Go reports len, cap and close', () => {
      const ch = chan<number>(3);

      ch.trySend(1);
      ch.trySend(2);

      expect([ch.length, ch.capacity, ch.closed]).toEqual([2, 3, false]);
      ch.close();
      expect(ch.closed).toBe(true);
    });

    it('reports an unbounded capacity as Infinity and conflated as 1', () => {
      expect(chan({ policy: 'unbounded' }).capacity).toBe(Infinity);
      expect(chan({ policy: 'conflated' }).capacity).toBe(1);
    });

    it('returns itself as its send-only and receive-only views', () => {
      const ch = chan<number>();

      expect(ch.sendOnly).toBe(ch);
      expect(ch.receiveOnly).toBe(ch);
    });
  });

  describe('unbuffered send', () => {
    it('settles only after a receiver has taken the value', async () => {
      const ch = chan<string>();
      const log: string[] = [];

      const sent = track(ch.send('a'), log, 'send');
      await flush();
      log.push('receiving');
      const received = track(ch.receive(), log, 'receive');
      await Promise.all([sent, received]);

      expect(log).toEqual(['receiving', 'send resolved undefined', 'receive resolved a']);
    });

    it('hands the value straight to a parked receiver', async () => {
      const ch = chan<number>();
      const received = ch.receive();

      await ch.send(7);

      expect(await received).toBe(7);
    });

    it('serves parked receivers in arrival order', async () => {
      const ch = chan<number>();
      const first = ch.receive();
      const second = ch.receive();

      ch.trySend(1);
      ch.trySend(2);

      expect(await Promise.all([first, second])).toEqual([1, 2]);
    });

    it('serves parked senders in arrival order', async () => {
      const ch = chan<number>();
      const sends = [ch.send(1), ch.send(2), ch.send(3)];

      const got = [await ch.receive(), await ch.receive(), await ch.receive()];
      await Promise.all(sends);

      expect(got).toEqual([1, 2, 3]);
    });
  });

  describe('buffered send', () => {
    it('completes at once while the buffer has room, then waits', async () => {
      const ch = chan<number>(2);
      const log: string[] = [];

      await ch.send(1);
      await ch.send(2);
      const third = track(ch.send(3), log, 'third');
      await flush();
      log.push('receiving');
      const got = await ch.receive();
      await third;

      expect(got).toBe(1);
      expect(log).toEqual(['receiving', 'third resolved undefined']);
      expect(ch.length).toBe(2);
    });

    it('moves the oldest parked sender into the freed slot, keeping FIFO order', async () => {
      const ch = chan<number>(1);
      await ch.send(1);
      const parked = [ch.send(2), ch.send(3)];

      const got = [await ch.receive(), await ch.receive(), await ch.receive()];
      await Promise.all(parked);

      expect(got).toEqual([1, 2, 3]);
    });

    it('never holds more than its capacity', async () => {
      const ch = chan<number>(2);
      const sends = [1, 2, 3, 4, 5].map((v) => ch.send(v));

      await flush();

      expect(ch.length).toBe(2);
      for (let i = 0; i < 5; i++) await ch.receive();
      await Promise.all(sends);
    });
  });

  describe('policies', () => {
    it('drops the newest value when full with drop-newest', () => {
      const dropped: number[] = [];
      const ch = chan<number>(2, { policy: 'drop-newest', onUndelivered: (v) => dropped.push(v) });

      const results = [1, 2, 3, 4].map((v) => ch.trySend(v));

      expect(results).toEqual([true, true, true, true]);
      expect(dropped).toEqual([3, 4]);
      expect([ch.tryReceive(), ch.tryReceive()]).toEqual([
        { value: 1, ok: true },
        { value: 2, ok: true },
      ]);
    });

    it('drops the oldest value when full with drop-oldest', () => {
      const dropped: number[] = [];
      const ch = chan<number>(2, { policy: 'drop-oldest', onUndelivered: (v) => dropped.push(v) });

      [1, 2, 3, 4].forEach((v) => ch.trySend(v));

      expect(dropped).toEqual([1, 2]);
      expect([ch.tryReceive()?.value, ch.tryReceive()?.value]).toEqual([3, 4]);
    });

    it('keeps only the latest value when conflated', async () => {
      const ch = chan<string>({ policy: 'conflated' });

      await ch.send('a');
      await ch.send('b');
      await ch.send('c');

      expect(await ch.receive()).toBe('c');
      expect(ch.tryReceive()).toBeUndefined();
    });

    it('hands a value straight to a parked receiver even with a drop policy', async () => {
      const ch = chan<number>(1, { policy: 'drop-newest' });
      const received = ch.receive();

      ch.trySend(1);
      ch.trySend(2);

      expect(await received).toBe(1);
      expect(ch.tryReceive()).toEqual({ value: 2, ok: true });
    });

    it('never makes a sender wait when unbounded', async () => {
      const ch = chan<number>({ policy: 'unbounded' });

      for (let i = 0; i < 10_000; i++) await ch.send(i);

      expect(ch.length).toBe(10_000);
      expect(ch.tryReceive()).toEqual({ value: 0, ok: true });
    });

    it('reports a hook exception as an uncaught error without breaking the channel', async () => {
      const ch = chan<number>(1, {
        policy: 'drop-newest',
        onUndelivered: () => {
          throw new Error('hook failed');
        },
      });
      const uncaught: unknown[] = [];
      const listeners = process.listeners('uncaughtException');
      process.removeAllListeners('uncaughtException');
      process.on('uncaughtException', (error) => uncaught.push(error));

      try {
        ch.trySend(1);
        ch.trySend(2);
        await flush();
      } finally {
        process.removeAllListeners('uncaughtException');
        for (const listener of listeners) process.on('uncaughtException', listener);
      }

      expect(uncaught).toEqual([new Error('hook failed')]);
      expect(ch.tryReceive()).toEqual({ value: 1, ok: true });
    });
  });

  describe('receive', () => {
    it('resolves to the bare value', async () => {
      const ch = chan<number>(1);
      ch.trySend(5);

      expect(await ch.receive()).toBe(5);
    });

    it('treats undefined and null as ordinary values', async () => {
      const ch = chan<null | undefined>(2);
      ch.trySend(undefined);
      ch.trySend(null);
      ch.close();

      expect(await ch.receiveOk()).toEqual({ value: undefined, ok: true });
      expect(await ch.receive()).toBe(null);
      expect(await ch.receiveOk()).toEqual({ value: undefined, ok: false });
    });

    it('rejects with ChannelClosedError once closed and drained', async () => {
      const ch = chan<number>(1);
      ch.trySend(1);
      ch.close();

      expect(await ch.receive()).toBe(1);
      await expect(ch.receive()).rejects.toThrow(
        new ChannelClosedError('receive(): channel is closed and drained'),
      );
    });

    it('gives a comma-ok result of ok false after close, never rejecting', async () => {
      const ch = chan<number>();
      const parked = ch.receiveOk();

      ch.close();

      expect(await parked).toEqual({ value: undefined, ok: false });
      expect(await ch.receiveOk()).toEqual({ value: undefined, ok: false });
    });
  });

  describe('trySend and tryReceive', () => {
    it('return without waiting', () => {
      const ch = chan<number>(1);

      expect(ch.tryReceive()).toBeUndefined();
      expect(ch.trySend(1)).toBe(true);
      expect(ch.trySend(2)).toBe(false);
      expect(ch.tryReceive()).toEqual({ value: 1, ok: true });
    });

    it('trySend on an unbuffered channel succeeds only with a parked receiver', async () => {
      const ch = chan<number>();
      expect(ch.trySend(1)).toBe(false);

      const received = ch.receive();

      expect(ch.trySend(2)).toBe(true);
      expect(await received).toBe(2);
    });

    it('tryReceive takes a parked sender value and settles the sender', async () => {
      const ch = chan<number>();
      const sent = ch.send(4);

      expect(ch.tryReceive()).toEqual({ value: 4, ok: true });
      await sent;
    });

    it('trySend throws ChannelClosedError on a closed channel and hands the value back', () => {
      const undelivered: number[] = [];
      const ch = chan<number>(1, { onUndelivered: (v) => undelivered.push(v) });
      ch.close();

      expect(() => ch.trySend(9)).toThrow(new ChannelClosedError('send(): channel is closed'));
      expect(undelivered).toEqual([9]);
    });

    it('tryReceive reports a closed and drained channel with ok false', () => {
      const ch = chan<number>();
      ch.close();

      expect(ch.tryReceive()).toEqual({ value: undefined, ok: false });
    });
  });

  describe('close', () => {
    it('throws ChannelClosedError when closed twice', () => {
      const ch = chan();
      ch.close();

      expect(() => ch.close()).toThrow(
        new ChannelClosedError('close(): channel is already closed'),
      );
    });

    it('lets receivers drain buffered values after close', async () => {
      const ch = chan<number>(3);
      [1, 2, 3].forEach((v) => ch.trySend(v));
      ch.close();

      const got: number[] = [];
      for await (const v of ch) got.push(v);

      expect(got).toEqual([1, 2, 3]);
    });

    it('rejects parked senders and hands their values to onUndelivered', async () => {
      const undelivered: number[] = [];
      const ch = chan<number>(1, { onUndelivered: (v) => undelivered.push(v) });
      ch.trySend(1);
      const parked = ch.send(2);

      ch.close();

      await expect(parked).rejects.toThrow(
        new ChannelClosedError('send(): channel closed while the send waited'),
      );
      expect(undelivered).toEqual([2]);
      expect(ch.tryReceive()).toEqual({ value: 1, ok: true });
    });

    it('rejects a send on a closed channel', async () => {
      const ch = chan<number>(1);
      ch.close();

      await expect(ch.send(1)).rejects.toBeInstanceOf(ChannelClosedError);
    });

    it('wakes every parked receiver', async () => {
      const ch = chan<number>();
      const parked = [ch.receiveOk(), ch.receiveOk(), ch.receive()];

      ch.close();
      const settled = await Promise.allSettled(parked);

      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    });
  });

  describe('close with an error', () => {
    it('lets receivers drain, then rejects receive with the error', async () => {
      const ch = chan<number>(2);
      ch.trySend(1);
      const failure = new Error('producer failed');

      ch.close(failure);

      expect(await ch.receive()).toBe(1);
      await expect(ch.receive()).rejects.toBe(failure);
      expect(ch.closeError).toBe(failure);
    });

    it('rejects a parked receive with the error', async () => {
      const ch = chan<number>();
      const parked = ch.receive();

      ch.close('why');

      await expect(parked).rejects.toBe('why');
    });

    it('keeps comma-ok receives at ok false', async () => {
      const ch = chan<number>();
      const parked = ch.receiveOk();

      ch.close(new Error('x'));

      expect(await parked).toEqual({ value: undefined, ok: false });
      expect(ch.tryReceive()).toEqual({ value: undefined, ok: false });
    });

    it('throws the error from a for await loop after the buffered values', async () => {
      const ch = chan<number>(2);
      ch.trySend(1);
      ch.close(new Error('boom'));
      const seen: number[] = [];

      const loop = (async () => {
        for await (const v of ch) seen.push(v);
      })();

      await expect(loop).rejects.toThrow('boom');
      expect(seen).toEqual([1]);
    });

    it('counts an explicit undefined as an error, and no argument as none', async () => {
      const failed = chan<number>();
      const plain = chan<number>();

      failed.close(undefined);
      plain.close();

      await expect(failed.receive()).rejects.toBeUndefined();
      await expect(plain.receive()).rejects.toBeInstanceOf(ChannelClosedError);
      expect(plain.closeError).toBeUndefined();
    });
  });

  describe('onClose', () => {
    it('runs once, synchronously, when the channel closes', async () => {
      const log: string[] = [];
      const ch = chan<number>(0, { onClose: (error) => log.push(`closed ${String(error)}`) });
      const parked = ch.receiveOk().then(() => log.push('receiver settled'));

      ch.close('e');
      await parked;

      expect(log).toEqual(['closed e', 'receiver settled']);
    });

    it('runs when the consumer cancels', () => {
      const log: string[] = [];
      const ch = chan<number>(1, { onClose: () => log.push('closed') });

      ch.cancel();
      ch.cancel();

      expect(log).toEqual(['closed']);
    });

    it('rejects a hook that is not a function', () => {
      expect(() => chan(0, { onClose: 1 as unknown as () => void })).toThrow(
        new TypeError('chan(): onClose must be a function, got 1'),
      );
    });
  });

  describe('cancel', () => {
    it('closes the channel and hands buffered values to onUndelivered', async () => {
      const undelivered: number[] = [];
      const ch = chan<number>(3, { onUndelivered: (v) => undelivered.push(v) });
      [1, 2].forEach((v) => ch.trySend(v));

      ch.cancel();
      ch.cancel();

      expect(undelivered).toEqual([1, 2]);
      expect(ch.closed).toBe(true);
      expect(await ch.receiveOk()).toEqual({ value: undefined, ok: false });
    });
  });

  describe('abort', () => {
    it('rejects at once with the reason when the signal is already aborted, with no effect', async () => {
      const ch = chan<number>(1);
      ch.trySend(1);
      const reason = new Error('stop');

      await expect(ch.receive({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      await expect(ch.send(2, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);

      expect(ch.length).toBe(1);
    });

    it('withdraws a parked receive, which then takes nothing', async () => {
      const ch = chan<number>();
      const controller = new AbortController();
      const parked = ch.receive({ signal: controller.signal });

      controller.abort(new Error('gone'));

      await expect(parked).rejects.toThrow('gone');
      expect(ch.trySend(1)).toBe(false);
    });

    it('withdraws a parked send, whose value is then never received', async () => {
      const undelivered: number[] = [];
      const ch = chan<number>(0, { onUndelivered: (v) => undelivered.push(v) });
      const controller = new AbortController();
      const parked = ch.send(1, { signal: controller.signal });

      controller.abort('why');

      await expect(parked).rejects.toBe('why');
      expect(ch.tryReceive()).toBeUndefined();
      expect(undelivered).toEqual([]);
    });

    it('lets a delivery that came first win over a later abort', async () => {
      const ch = chan<number>();
      const controller = new AbortController();
      const parked = ch.receive({ signal: controller.signal });

      ch.trySend(3);
      controller.abort();

      expect(await parked).toBe(3);
    });

    it('removes its abort listener once the operation settles', async () => {
      const ch = chan<number>();
      const controller = new AbortController();
      let added = 0;
      let removed = 0;
      const signal = controller.signal;
      const add = signal.addEventListener.bind(signal);
      const remove = signal.removeEventListener.bind(signal);
      signal.addEventListener = ((...args: Parameters<typeof add>) => {
        added++;
        add(...args);
      }) as typeof signal.addEventListener;
      signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
        removed++;
        remove(...args);
      }) as typeof signal.removeEventListener;

      const parked = ch.receive({ signal });
      ch.trySend(1);
      await parked;

      expect([added, removed]).toEqual([1, 1]);
    });
  });

  describe('iteration', () => {
    it('ends a for await loop at close', async () => {
      const ch = chan<number>();
      const got: number[] = [];
      const loop = (async () => {
        for await (const v of ch) got.push(v);
      })();

      await ch.send(1);
      await ch.send(2);
      ch.close();
      await loop;

      expect(got).toEqual([1, 2]);
    });

    it('leaves later values in the channel when the loop breaks', async () => {
      const ch = chan<number>(4);
      [1, 2, 3].forEach((v) => ch.trySend(v));

      for await (const v of ch) {
        if (v === 1) break;
      }

      expect(ch.tryReceive()).toEqual({ value: 2, ok: true });
    });

    it('withdraws a pending next on return, so no value is lost', async () => {
      const ch = chan<number>();
      const iterator = ch.values();
      const pending = iterator.next();

      await iterator.return?.();
      const late = ch.trySend(1);

      expect(await pending).toEqual({ value: undefined, done: true });
      expect(late).toBe(false);
      expect(await iterator.next()).toEqual({ value: undefined, done: true });
    });

    it('rejects a pending next with the abort reason', async () => {
      const ch = chan<number>();
      const controller = new AbortController();
      const iterator = ch.values({ signal: controller.signal });
      const pending = iterator.next();

      controller.abort(new Error('cancelled'));

      await expect(pending).rejects.toThrow('cancelled');
      expect(ch.trySend(1)).toBe(false);
    });
  });
});

describe('nilChan', () => {
  it('never completes a send or a receive until aborted', async () => {
    const ch = nilChan<number>();
    const controller = new AbortController();
    const log: string[] = [];
    const receive = track(ch.receive({ signal: controller.signal }), log, 'receive');
    const send = track(ch.send(1, { signal: controller.signal }), log, 'send');

    await flush();
    log.push('abort');
    controller.abort(new Error('done'));
    await Promise.all([receive, send]);

    expect(log).toEqual(['abort', 'receive rejected Error', 'send rejected Error']);
  });

  it('answers try operations as never ready', () => {
    const ch = nilChan<number>();

    expect(ch.trySend(1)).toBe(false);
    expect(ch.tryReceive()).toBeUndefined();
  });

  it('cannot be closed', () => {
    expect(() => nilChan().close()).toThrow(new TypeError('close(): cannot close a nil channel'));
  });
});
