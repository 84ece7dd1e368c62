// V8 frees an object shape at a major GC once no object has it, and then
// deoptimizes every function optimized for that shape. rxchan keeps one
// channel (and its iterator and receive case) alive so that programs whose
// channels are all short-lived keep their optimized channel code across
// major GCs (see the end of src/core/channel.ts). This test runs such a
// program in a child process with V8's deoptimization trace and checks that
// no library function is deoptimized because a shape died.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
let dir = '';

// Every function of the program itself is named harness*, so that the
// trace can be split into the program's functions and the library's.
const program = `
import { chan, onReceive, onTimeout, select } from './index.mjs';

async function harnessSelect(n) {
  const ch = chan(1);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    ch.trySend(i);
    const r = await select({ v: onReceive(ch), t: onTimeout(3_600_000) });
    sum += r.value;
  }
  return sum;
}

async function harnessSend(ch, n) {
  for (let i = 0; i < n; i++) await ch.send(i);
  ch.close();
}

async function harnessStream(n) {
  const ch = chan(16);
  harnessSend(ch, n);
  let sum = 0;
  for await (const v of ch) sum += v;
  return sum;
}

async function harnessEcho(ping, pong) {
  for (;;) {
    const r = await ping.receiveOk();
    if (!r.ok) return;
    await pong.send(r.value);
  }
}

async function harnessPingPong(n) {
  const ping = chan();
  const pong = chan();
  const done = harnessEcho(ping, pong);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    await ping.send(i);
    sum += await pong.receive();
  }
  ping.close();
  await done;
  return sum;
}

async function harnessMain() {
  const n = 50_000;
  const expected = (n * (n - 1)) / 2;
  for (let pass = 0; pass < 4; pass++) {
    for (const loop of [harnessSelect, harnessStream, harnessPingPong]) {
      if ((await loop(n)) !== expected) throw new Error(loop.name + ': wrong sum');
    }
    // A major GC with every channel of the pass unreachable.
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
    globalThis.gc();
  }
  console.log('harness done');
}

await harnessMain();
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rxchan-shapes-'));
  await build({
    entryPoints: { index: join(repoRoot, 'src/index.ts') },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    logLevel: 'error',
  });
  writeFileSync(join(dir, 'program.mjs'), program);
});

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('channel shapes', () => {
  it('survive major GCs, so no library function is deoptimized for a dead shape', () => {
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', '--trace-deopt', join(dir, 'program.mjs')],
      { encoding: 'utf8', timeout: 30_000, maxBuffer: 64 * 1024 * 1024 },
    );

    expect(child.status, child.stderr).toBe(0);
    expect(child.stdout).toContain('harness done');
    const deoptimized = child.stdout
      .split('\n')
      .filter((line) => line.includes('reason: weak objects'))
      .map((line) => /<SharedFunctionInfo ([^>]*)>/.exec(line)?.[1] ?? line)
      .filter((name) => !name.startsWith('harness'));
    expect(deoptimized).toEqual([]);
  });
});
