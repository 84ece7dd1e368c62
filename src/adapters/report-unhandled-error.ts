/**
 * Reporting an error no caller can receive, the way RxJS reports an error
 * its subscriber did not handle: through `config.onUnhandledError` when the
 * application set one, else as an uncaught exception. Either happens in a
 * later microtask, never inside the caller. The library never logs and
 * never swallows such an error.
 */
import { config } from 'rxjs';

/** Reports `error` as unhandled, asynchronously, never to the caller. */
export function reportUnhandledError(error: unknown): void {
  queueMicrotask(() => {
    const handler = config.onUnhandledError;
    if (handler === null) throw error;
    handler(error);
  });
}
