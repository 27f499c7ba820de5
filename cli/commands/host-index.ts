/**
 * The shard index of `dctwin host` in a pod: given, or derived from where Kubernetes says the pod stands (an
 * Indexed Job's JOB_COMPLETION_INDEX, or a StatefulSet pod's ordinal, the number its hostname ends with).
 */
import { hostname } from "node:os";
import { InvalidArgumentError } from "commander";

export function resolveHostIndex(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  podName: string = hostname(),
): number {
  if (flag !== undefined && flag !== "auto") {
    const n = Number(flag);
    if (!Number.isSafeInteger(n) || n < 0 || flag.trim() === "")
      throw new InvalidArgumentError(`--host expects a whole number from 0, or "auto", got ${JSON.stringify(flag)}`);
    return n;
  }
  const index = env.JOB_COMPLETION_INDEX;
  if (index !== undefined && /^\d+$/.test(index)) return Number(index);
  const ordinal = /-(\d+)$/.exec(podName);
  if (ordinal !== null) return Number(ordinal[1]);
  throw new InvalidArgumentError(
    `--host auto: neither JOB_COMPLETION_INDEX (an Indexed Job) nor a hostname ending in -N (a StatefulSet pod; this one is ${JSON.stringify(podName)}) gives the shard index; pass --host N`,
  );
}
