import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { forEachLine } from "./file-lines.ts";

const dir = mkdtempSync(join(tmpdir(), "dctwin-lines-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("file lines - read back whole: longer than a read chunk, UTF-8 split across chunks, a last line unended", () => {
  // "é" is two bytes: at odd offsets one of them lands on the 1 MiB chunk boundary.
  const lines = ["first", `${"é".repeat(700_000)}x`, "", "ü short", `${"a".repeat((1 << 20) - 3)}éé`, "last"];
  const path = join(dir, "lines.jsonl");
  writeFileSync(path, lines.join("\n"));
  const read: string[] = [];
  forEachLine(path, (line) => (read.push(line), undefined));
  assert.deepEqual(read, lines);
});

test("file lines - the reading stops where the callback says so", () => {
  const path = join(dir, "stop.txt");
  writeFileSync(path, "a\nb\nc\n");
  const read: string[] = [];
  forEachLine(path, (line) => (read.push(line), line !== "b"));
  assert.deepEqual(read, ["a", "b"]);
});
