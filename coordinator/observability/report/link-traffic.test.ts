import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { readLinkTraffic } from "./link-traffic.ts";

const dir = mkdtempSync(join(tmpdir(), "dctwin-link-traffic-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("link traffic - totals per interval over every direction, and the rows of the busiest directions", () => {
  const path = join(dir, "links.csv");
  writeFileSync(
    path,
    [
      "t_start_s,t_end_s,link,direction,packets,bytes,lost_packets",
      "0,1,a--b,a->b,1,100,0",
      "0,1,a--b,b->a,1,50,0",
      "0,1,b--c,b->c,2,300,1",
      "1,2,a--b,a->b,1,100,0",
      "1,2,a--b,b->a,3,150,0",
      "1,2,b--c,b->c,0,0,0",
      "",
    ].join("\n"),
  );
  const traffic = readLinkTraffic(path, 2);
  assert.deepEqual(traffic.totals, [
    { t_start_s: 0, t_end_s: 1, bytes: 450 },
    { t_start_s: 1, t_end_s: 2, bytes: 250 },
  ]);
  assert.equal(traffic.directions, 3);
  // a->b and b->c both moved 300 bytes, b->a 200: the tie keeps the order of first appearance.
  assert.deepEqual(
    traffic.busiest.map((r) => [r.t_end_s, r.direction, r.bytes, r.lost_packets]),
    [
      [1, "a->b", 100, 0],
      [1, "b->c", 300, 1],
      [2, "a->b", 100, 0],
      [2, "b->c", 0, 0],
    ],
  );
  assert.deepEqual(readLinkTraffic(join(dir, "none.csv"), 2), { totals: [], busiest: [], directions: 0 });
});
