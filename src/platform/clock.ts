/** Milliseconds since the epoch. Injected, so time-window rules can be tested at exact instants. */
export type Clock = () => number;
export const systemClock: Clock = () => Date.now();
