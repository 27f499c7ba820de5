/**
 * The value a field holding a time in nanoseconds starts at: zero, stored as a double. V8 keeps a field that has
 * only held small integers as one, and a run's times pass 2^30 ns (1.07 s of simulated time) in the middle of the
 * run: the first larger time changes the field's representation for every object of that shape and throws away
 * the compiled code of every function that reads it (the server model's, the packet's, the context's), which then
 * runs in slower code until it is compiled again. -0 is not a small integer, so the field is a double from the
 * start; it equals 0 in every comparison and sum and prints as 0.
 */
export const ZERO_NS = -0;
