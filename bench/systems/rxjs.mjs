// W7 for RxJS 7.8.2 alone: `mergeMap(work, 4)`, the reference of W7. Its
// queue of waiting source values is unbounded, so a synchronous source is
// buffered whole before the first result.
import { mergeMap } from 'rxjs';
import { double, drainObservable, measurePool, syncSource } from '../lib.mjs';
import { W7_CONCURRENCY } from '../workloads.mjs';

const rxjsMergeMap = {
  W7(n) {
    return measurePool(n, (onResult, probe) =>
      drainObservable(syncSource(n, probe).pipe(mergeMap(double, W7_CONCURRENCY)), onResult),
    );
  },
};

export const systems = { 'rxjs-mergeMap': rxjsMergeMap };
