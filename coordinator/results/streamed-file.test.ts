import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { StreamedFile } from "./streamed-file.ts";

const dir = mkdtempSync(join(tmpdir(), "dctwin-streamed-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("streamed file - lines read back whole: longer than a read chunk, UTF-8 split across chunks, bytes or text", () => {
  // "é" is two bytes: at odd offsets one of them lands on the 1 MiB chunk boundary.
  const lines = ["first", `${"é".repeat(700_000)}x`, "", "ü short", `${"a".repeat((1 << 20) - 3)}éé`, "last"];
  const file = new StreamedFile(dir, "lines.jsonl", "");
  lines.forEach((line, i) => file.append(i % 2 === 0 ? `${line}\n` : Buffer.from(`${line}\n`, "utf8")));
  const read: string[] = [];
  file.forEachLine((line) => read.push(line));
  assert.deepEqual(read, lines);
  file.close();
});
