/**
 * Mirrors the tutorial's `runner` package and the program that drives it:
 * three tasks, each announcing itself with "Processor - Task #N." and then
 * sleeping for a time that grows with its id, run one after another under a
 * deadline; the program reports whether the work finished, ran out of time
 * or was interrupted with Ctrl-C.
 *
 * Go sleeps N seconds per task under a 3-second deadline and exits at the
 * first failure; here task N sleeps N * 50 ms, and the program runs twice
 * so both endings show: first with a deadline of one second, which the
 * tasks meet (150 ms in all), then with 100 ms, which passes while task #2
 * sleeps. The sleeping task gets the runner's signal, so the timeout
 * cancels its sleep at once instead of letting it run on as Go's does.
 *
 * Ctrl-C: both runs listen for SIGINT (`interruptOnSigint: true`), as the
 * Go program does. Pressing Ctrl-C during a run ends it with an
 * InterruptError ("Terminating due to interrupt."); the runs are too short
 * to try it by hand, so test/patterns/runner.test.ts sends a real SIGINT to
 * a child process instead. Once a run ends its listener is gone, and Ctrl-C
 * stops the process as usual.
 *
 * Prints:
 *   Starting work with a 1000 ms deadline.
 *   Processor - Task #0.
 *   Processor - Task #1.
 *   Processor - Task #2.
 *   Process ended.
 *   Starting work with a 100 ms deadline.
 *   Processor - Task #0.
 *   Processor - Task #1.
 *   Processor - Task #2.
 *   Terminating due to timeout.
 */
import { InterruptError, Runner, TimeoutError, sleep, type RunnerTask } from '../src/index.js';

/** A task that announces itself, then sleeps 50 ms per unit of its id. */
function createTask(): RunnerTask {
  return async (id, signal) => {
    console.log(`Processor - Task #${id}.`);
    await sleep(id * 50, { signal });
  };
}

async function main(timeout: number): Promise<void> {
  console.log(`Starting work with a ${timeout} ms deadline.`);
  const runner = new Runner({ timeout, interruptOnSigint: true });
  runner.add(createTask(), createTask(), createTask());

  try {
    await runner.start();
  } catch (error) {
    if (error instanceof TimeoutError) {
      console.log('Terminating due to timeout.');
      return;
    }
    if (error instanceof InterruptError) {
      console.log('Terminating due to interrupt.');
      return;
    }
    throw error;
  }
  console.log('Process ended.');
}

await main(1000);
await main(100);
