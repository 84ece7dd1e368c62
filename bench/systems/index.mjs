// Every system the suite knows, in report order, and the module that
// implements it. A name given to --systems also selects its `name-*`
// variants (rxchan selects rxchan-sync, rxchan-iter, rxchan-reuse and
// rxchan-from, rxchan-yield).

/** The system every ratio is taken against. */
export const BASELINE = 'baseline';

/** The npm peers (the "best peer" of a workload is one of these). */
export const PEERS = ['js-csp', 'medium', '@thi.ng/csp', 'async-channel', 'chan'];

const modules = {
  baseline: './baseline.mjs',
  'baseline-sync': './baseline.mjs',
  rxchan: './rxchan.mjs',
  'rxchan-sync': './rxchan.mjs',
  'rxchan-iter': './rxchan.mjs',
  'rxchan-reuse': './rxchan.mjs',
  'rxchan-from': './rxchan.mjs',
  'rxchan-yield': './rxchan.mjs',
  'rxjs-mergeMap': './rxjs.mjs',
  'js-csp': './js-csp.mjs',
  medium: './medium.mjs',
  '@thi.ng/csp': './thi-ng-csp.mjs',
  'async-channel': './async-channel.mjs',
  chan: './chan.mjs',
};

/** One-line descriptions for the report. */
export const descriptions = {
  baseline: 'hand-written promise channel (bench/baseline.mjs), await on every op',
  'baseline-sync': 'the same, awaiting only when an op has to wait (trySend/tryRecv first)',
  rxchan:
    "rxchan, await on every op; select cases written inline; W7: workerPool with overflow 'drop-oldest'",
  'rxchan-sync': 'rxchan fast path: trySend/tryReceive first, await only when it would wait',
  'rxchan-iter': 'rxchan, W2 consumed with for await',
  'rxchan-reuse': 'rxchan, select with a cases object built once and reused',
  'rxchan-from': 'rxchan, W7 lossless: workerPoolFrom fed by an unbuffered channel',
  'rxchan-yield': 'rxchan, S1 with both tasks pausing through yieldEvery(1000)',
  'rxjs-mergeMap': 'rxjs 7.8.2 mergeMap(work, 4), the reference of W7',
  'js-csp': 'js-csp 1.0.1 (go generators)',
  medium: 'medium 1.2.0',
  '@thi.ng/csp': '@thi.ng/csp 3.2.44 (smallest channel is a 1-slot fifo)',
  'async-channel': 'async-channel 0.2.0 (no select)',
  chan: 'chan 0.6.1 (callback API behind promise wrappers)',
};

export const systemNames = Object.keys(modules);

/** The workload functions of one system, keyed by workload id. */
export async function loadSystem(name) {
  const file = modules[name];
  if (file === undefined) throw new Error(`unknown system ${name}`);
  const mod = await import(file);
  return mod.systems[name];
}

/** Expands --systems names to the known systems they select, in report order. */
export function selectSystems(names) {
  const unknown = names.filter((n) => !systemNames.some((s) => s === n || s.startsWith(`${n}-`)));
  if (unknown.length > 0) throw new Error(`unknown system(s): ${unknown.join(', ')}`);
  return systemNames.filter((s) => names.some((n) => s === n || s.startsWith(`${n}-`)));
}
