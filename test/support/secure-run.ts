/**
 * The run the NATS security tests (test/nats-security*.test.ts) steer through secured servers: traffic crosses
 * hosts on a 3-host placement (clients on host 0, servers on hosts 1 and 2), and its summary.json run undisturbed
 * in process, which every secured run must equal byte for byte.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "./cli.ts";
import { writeScenario } from "./scenarios.ts";

const SECURE_SCENARIO = {
  name: "secure",
  run: { duration: "2s", seed: 11, metrics_interval: "500ms" },
  actors: [
    {
      id: "clients-a",
      kind: "client",
      target: "server-b",
      arrivals: { process: "poisson", rate_per_s: 600 },
      request_bytes: 300,
      response_bytes: 3000,
    },
    {
      id: "clients-b",
      kind: "client",
      target: "server-a",
      arrivals: { process: "poisson", rate_per_s: 500 },
      request_bytes: 300,
      response_bytes: 1500,
    },
    { id: "server-a", kind: "server", cores: 1, service: { distribution: "exponential", mean: "1ms" }, queue_limit: 5 },
    { id: "server-b", kind: "server", cores: 2, service: { distribution: "exponential", mean: "1ms" } },
  ],
  links: [
    { a: "clients-a", b: "server-b", latency: "80us", bandwidth: "1Gbps" },
    { a: "clients-b", b: "server-a", latency: "60us", bandwidth: "1Gbps" },
  ],
};

/** Writes the scenario into `dir`; `reference()` runs it undisturbed (once) and gives its summary.json. */
export function secureRun(dir: string): { file: string; reference: () => Promise<string> } {
  const file = writeScenario(dir, "secure", SECURE_SCENARIO);
  let summary: string | undefined;
  const reference = async () => {
    if (summary === undefined) {
      const out = join(dir, "reference");
      const result = await runCli(["run", file, "--transport", "inproc", "--out", out, "-q"]);
      assert.equal(result.code, 0, result.stderr);
      summary = readFileSync(join(out, "summary.json"), "utf8");
    }
    return summary;
  };
  return { file, reference };
}
