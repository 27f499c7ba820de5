/** `dctwin deploy FILE --hosts N`: render a run's Kubernetes manifests (a kustomization over deploy/kubernetes/base). */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { newRunId } from "../../coordinator/run.ts";
import { loadScenarioFile } from "../../coordinator/scenario-loader.ts";
import { renderDeployment } from "./deploy-render.ts";
import { largestShard, podMemory } from "./deploy-sizing.ts";
import { placeActors } from "../../coordinator/placement/place.ts";
import { positiveInt } from "./flags.ts";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function registerDeployCommand(program: Command): void {
  program
    .command("deploy")
    .description(
      "Render the Kubernetes manifests of a run (NATS cluster, coordinator Job, hosts as an Indexed Job) as a kustomization: kubectl apply -k DIR.",
    )
    .argument("<file>", "scenario YAML file (validated first)")
    .requiredOption("--hosts <n>", "number of host pods (shards)", positiveInt("--hosts"))
    .option("--namespace <name>", "Kubernetes namespace", "dctwin")
    .option("--image <image>", "dctwin image (name[:tag] or name@digest)", "localhost/dctwin:0.1.0")
    .option("--run-id <id>", "run id (default: random)")
    .option(
      "--nats <url>",
      "NATS URL the pods use instead of the bundled 3-node cluster (e.g. the NATS Helm chart's Service)",
    )
    .option("--prometheus-release <name>", "release label kube-prometheus-stack selects monitors by")
    .option("--out <dir>", "directory to write the kustomization to", "dctwin-deploy")
    .action(
      (
        file: string,
        opts: {
          hosts: number;
          namespace: string;
          image: string;
          runId?: string;
          nats?: string;
          prometheusRelease?: string;
          out: string;
        },
      ) => {
        const { scenario } = loadScenarioFile(file); // exit 2 with field paths before anything is written
        if (!DNS_LABEL.test(opts.namespace))
          throw new InvalidArgumentError(
            `--namespace must be a DNS label (lower-case letters, digits, '-'), got ${JSON.stringify(opts.namespace)}`,
          );
        const runId = opts.runId ?? newRunId();
        if (!/^[A-Za-z0-9_-]+$/.test(runId))
          throw new InvalidArgumentError("--run-id may hold letters, digits, '-' and '_' only");
        const actors = scenario.actors.length;
        const shard = largestShard(placeActors(scenario, opts.hosts), opts.hosts);
        const memory = { coordinator: podMemory(actors), host: podMemory(shard) };
        const files = renderDeployment({
          scenarioYaml: readFileSync(file, "utf8"),
          hosts: opts.hosts,
          runId,
          namespace: opts.namespace,
          image: opts.image,
          nats: opts.nats,
          prometheusRelease: opts.prometheusRelease,
          memory,
          outDir: opts.out,
        });
        mkdirSync(opts.out, { recursive: true });
        for (const [name, text] of Object.entries(files)) writeFileSync(join(opts.out, name), text);
        chmodSync(join(opts.out, "control-token.env"), 0o600);
        console.log(
          `run ${runId}: ${opts.hosts} host(s) in namespace ${opts.namespace}; manifests in ${opts.out}/ (kubectl apply -k ${opts.out})`,
        );
        console.log(
          `memory: coordinator ${memory.coordinator.request} (limit ${memory.coordinator.limit}) for ${actors} actors; each host ${memory.host.request} (limit ${memory.host.limit}) for up to ${shard} actors`,
        );
      },
    );
}
