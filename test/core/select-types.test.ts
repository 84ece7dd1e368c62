// The static types of select's cases and result. These assertions are
// checked by `tsc` (npm run typecheck); at run time they only run the select.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  chan,
  onDefault,
  onReceive,
  onSend,
  onTimeout,
  select,
  type DefaultCase,
  type ReceiveCase,
  type SelectResult,
  type SendCase,
  type TimeoutCase,
} from '../../src/index.js';

describe('select types', () => {
  it('types each case function by its kind and value type', () => {
    const numbers = chan<number>(1);
    expectTypeOf(onReceive(numbers)).toEqualTypeOf<ReceiveCase<number>>();
    expectTypeOf(onSend(numbers, 1)).toEqualTypeOf<SendCase<number>>();
    expectTypeOf(onTimeout(5)).toEqualTypeOf<TimeoutCase>();
    expectTypeOf(onDefault()).toEqualTypeOf<DefaultCase>();
    // @ts-expect-error a send case is not a receive case
    const wrongKind: ReceiveCase<number> = onSend(numbers, 1);
    // @ts-expect-error a string must be sent on a channel of strings
    onSend(numbers, 'one');
    expect(wrongKind).toBeDefined();
  });

  it('gives receive results value and ok, and other cases only their key', () => {
    type Result = SelectResult<{
      num: ReceiveCase<number>;
      out: SendCase<string>;
      late: TimeoutCase;
      idle: DefaultCase;
    }>;
    expectTypeOf<Extract<Result, { key: 'num' }>>().toEqualTypeOf<
      { key: 'num'; value: number; ok: true } | { key: 'num'; value: undefined; ok: false }
    >();
    expectTypeOf<Extract<Result, { key: 'out' }>>().toEqualTypeOf<{ key: 'out' }>();
    expectTypeOf<Extract<Result, { key: 'late' }>>().toEqualTypeOf<{ key: 'late' }>();
    expectTypeOf<Extract<Result, { key: 'idle' }>>().toEqualTypeOf<{ key: 'idle' }>();
    expectTypeOf<Result['key']>().toEqualTypeOf<'num' | 'out' | 'late' | 'idle'>();
  });

  it('narrows the value by switching on the key', async () => {
    const numbers = chan<number>(1);
    const words = chan<string>(1);
    numbers.trySend(7);
    const r = await select({ num: onReceive(numbers), word: onReceive(words) });
    switch (r.key) {
      case 'num':
        if (r.ok) expectTypeOf(r.value).toEqualTypeOf<number>();
        else expectTypeOf(r.value).toEqualTypeOf<undefined>();
        expect(r).toEqual({ key: 'num', value: 7, ok: true });
        break;
      case 'word':
        if (r.ok) expectTypeOf(r.value).toEqualTypeOf<string>();
        throw new Error('the empty channel was chosen');
    }
  });
});
