import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { TableFiles } from "./parquet.ts";
import { TableColumns } from "./table-columns.ts";

const dir = mkdtempSync(join(tmpdir(), "dctwin-table-files-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("table files - a table written a block at a time reads back whole, as CSV and as Parquet row groups", async () => {
  const columns = [
    ["name", "string"],
    ["count", "int"],
    ["share", "double"],
  ] as const;
  const table = new TableColumns(columns, new TableFiles(dir, "t", columns, 4));
  const expected: Record<string, unknown>[] = [];
  for (let i = 0; i < 10; i++) {
    const cells = [i % 3 === 0 ? null : `n,${i}`, i * 1000, i === 5 ? null : i / 7];
    table.add(["run", "s", i, i + 1], cells);
    expected.push({
      run_id: "run",
      scenario: "s",
      t_start_s: i,
      t_end_s: i + 1,
      name: cells[0],
      count: BigInt(i * 1000),
      share: cells[2],
    });
  }
  table.end();
  const bytes = readFileSync(join(dir, "t.parquet"));
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  assert.deepEqual(
    parquetMetadata(file).row_groups.map((g) => Number(g.num_rows)),
    [4, 4, 2],
    "a row group per block",
  );
  assert.deepEqual(await parquetReadObjects({ file }), expected);
  const csv = readFileSync(join(dir, "t.csv"), "utf8").split("\n");
  assert.equal(csv[0], "run_id,scenario,t_start_s,t_end_s,name,count,share");
  assert.equal(csv[2], 'run,s,1,2,"n,1",1000,0.14285714285714285');
  assert.equal(csv[1], "run,s,0,1,,0,0");
  assert.equal(csv.length, 12, "ten rows, each ending in a newline");
});
