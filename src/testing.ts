/**
 * rxchan/testing: tools for testing code built on rxchan. Depends on the
 * core only.
 */
export { VirtualClock, virtualClock } from './testing/virtual-clock.js';
export type { RunAllOptions } from './testing/virtual-clock.js';
