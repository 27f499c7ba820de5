/**
 * The documented bounds of a scenario (docs/security.md, "Limits"), checked at validation so that no input can
 * make a run lose exactness, never end, or exhaust memory before it says why. Each bound is far above what the
 * examples use; a scenario that needs more is a change to these numbers, not to the code.
 */

/** Simulated times are integer nanoseconds in doubles: exact below 2^53 ns (104 days). */
export const MAX_TIME_NS = Number.MAX_SAFE_INTEGER;
/** The shortest metrics interval. */
export const MIN_METRICS_INTERVAL_NS = 1_000;
/** Metrics intervals per run (each is a record the coordinator keeps and writes). */
export const MAX_INTERVALS = 100_000;
/** Any rate (arrivals, load changes), per second. */
export const MAX_RATE_PER_S = 1e9;
/** Any whole count (cores, replicas, users, GPUs, queue slots). */
export const MAX_COUNT = 1_000_000;
/** Packet and model sizes: 1 TiB (sums of sizes per interval stay exact). */
export const MAX_SIZE_BYTES = 2 ** 40;
/**
 * Actors and links after topology generation. 250,000 actors: the 100,368-actor example (examples/dc-100k.yaml)
 * runs in about 1.1 GiB RSS on one host, so this bound leaves room on an 8 GiB machine; the memory budget
 * (budget.ts) still refuses what the heap cannot hold.
 */
export const MAX_ACTORS = 250_000;
export const MAX_LINKS = 1_000_000;
/**
 * A scenario file (YAML). Parsing and validating 1 MiB of small actor entries takes a few seconds of CPU; large
 * networks come from a `topology` section, not from long lists.
 */
export const MAX_SCENARIO_BYTES = 1024 * 1024;
/** A file a scenario refers to (a trace). */
export const MAX_REFERENCED_FILE_BYTES = 256 * 1024 * 1024;
/** YAML aliases in one scenario (defuses alias bombs: each alias may expand to a whole subtree). */
export const MAX_YAML_ALIASES = 1_000;
/** `--hosts`. */
export const MAX_HOSTS = 256;
/** Load factors (× the scenario's rate) in experiments, live load changes and scale_load commands. */
export const MAX_LOAD_FACTOR = 1_000;
/** Steps one ramp or stage list may take. */
export const MAX_LOAD_STEPS = 100_000;

/**
 * A whole number with thousands separators (1,000,000). Written out rather than `toLocaleString("en-US")`: that
 * loads ICU's number formatting, about 15 ms of every host's start-up for a few messages that are rarely shown.
 */
const si = (n: number) => {
  const digits = String(Math.abs(Math.round(n)));
  return (n < 0 ? "-" : "") + digits.replace(/\B(?=(\d{3})+$)/g, ",");
};
export const describe = {
  count: `at most ${si(MAX_COUNT)}`,
  rate: `at most ${si(MAX_RATE_PER_S)} per second`,
  size: "at most 1 TiB",
  time: "below 2^53 ns (104 days)",
  factor: `at most ${si(MAX_LOAD_FACTOR)}`,
};
export { si as formatCount };
