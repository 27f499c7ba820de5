/**
 * `dctwin place FILE --hosts N`: the text report and the JSON fields on a generated leaf-spine whose cut is known
 * (only the 20 us leaf-spine links), the JSON host of every actor equal to what runs use, and exit code 2 with a
 * clear message for bad input (missing or bad --hosts, unreadable or invalid scenario).
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { placeActors } from "../coordinator/placement/place.ts";
import { loadScenarioFile } from "../coordinator/scenario-loader.ts";
import { runCli } from "./support/cli.ts";
import { tempDir, writeScenario } from "./support/scenarios.ts";

const dir = tempDir();
after(() => dir.remove());

const file = writeScenario(dir.path, "ls", {
  name: "ls",
  run: { duration: "10ms" },
  topology: {
    type: "leaf-spine",
    leaves: 4,
    spines: 2,
    servers_per_leaf: 3,
    layout: { racks_per_row: 2 },
    server: { cores: 2, service: { distribution: "exponential", mean: "1ms" } },
    server_link: { latency: "1us", bandwidth: "25Gbps" },
    fabric_link: { latency: "20us" },
    clients: {
      link: { latency: "2us" },
      remote_every: 3,
      client: { arrivals: { process: "poisson", rate_per_s: 500 } },
    },
  },
});

test("place - JSON: cut links, lookahead, cross-host share, actors per host and per label, host of every actor", async () => {
  const result = await runCli(["place", file, "--hosts", "2", "--json"]);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  assert.equal(report.hosts, 2);
  assert.equal(report.actors, 4 * 7 + 2);
  assert.equal(report.lookahead_ns, 20_000, "unlimited fabric bandwidth: the latency alone");
  assert.equal(report.label_level, "row");
  assert.equal(report.traffic_estimate, "routes");
  assert.ok(report.cut_links.count > 0);
  for (const l of report.cut_links.shortest) assert.equal(l.delay_ns, 20_000);
  assert.ok(
    report.cross_host_hop_share > 0 && report.cross_host_hop_share < 0.5,
    `share ${report.cross_host_hop_share}`,
  );
  assert.deepEqual(
    report.per_host.map((h: { actors: number }) => h.actors).reduce((a: number, b: number) => a + b),
    report.actors,
  );
  assert.deepEqual(report.label_groups.row, { groups: 2, split: 0, split_examples: [], whole_per_host: [1, 1] });
  assert.equal(report.label_groups.rack.split, 0);
  const { scenario } = loadScenarioFile(file);
  const hostOf = placeActors(scenario, 2);
  assert.deepEqual(
    report.host_of,
    Object.fromEntries(scenario.actors.map((a) => [a.id, hostOf[a.index]])),
    "the placement runs use",
  );
});

test("place - text report names the lookahead, the shortest cut links and the hosts", async () => {
  const result = await runCli(["place", file, "--hosts", "2"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /lookahead +20 us/);
  assert.match(result.stdout, /cut links +\d+ of 32; shortest:\n +spine-0--leaf-\d {2}20 us/);
  assert.match(result.stdout, /cross-host +\d+\.\d+% of expected packet hops/);
  assert.match(result.stdout, /row +2 +0 +1 \/ 1/);
  const one = await runCli(["place", file, "--hosts", "1"]);
  assert.equal(one.code, 0);
  assert.match(one.stdout, /lookahead +none \(no link is cut/);
});

test("place - bad input exits 2 with a message and no stack trace", async () => {
  const cases: [string[], RegExp][] = [
    [["place", file], /required option '--hosts <n>'/],
    [["place", file, "--hosts", "0"], /--hosts expects a positive whole number/],
    [["place", file, "--hosts", "two"], /--hosts expects a positive whole number/],
    [["place", `${dir.path}/missing.yaml`, "--hosts", "2"], /cannot read the file/],
    [
      [
        "place",
        writeScenario(dir.path, "bad", {
          name: "bad",
          run: { duration: "1s" },
          actors: [{ id: "x", kind: "server", cores: 0 }],
        }),
        "--hosts",
        "2",
      ],
      /actors\[0\]\.cores/,
    ],
  ];
  for (const [args, message] of cases) {
    const result = await runCli(args);
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  }
});
