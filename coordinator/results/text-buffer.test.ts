import assert from "node:assert/strict";
import { test } from "node:test";
import { TextBuffer } from "./text-buffer.ts";

const edgeNumbers = [
  0,
  -0,
  1,
  9,
  10,
  99,
  100,
  2147483647,
  2147483648,
  -2147483647,
  -2147483648,
  -2147483649,
  -1,
  // Each digit count's first and last (digits are counted by comparisons).
  ...Array.from({ length: 9 }, (_, k) => [10 ** (k + 1) - 1, 10 ** (k + 1)]).flat(),
  2 ** 53,
  1e21,
  -1e-7,
  0.1 + 0.2,
  5e-324,
  Number.MAX_VALUE,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
];

test("text buffer - numbers print as a template literal prints them, and as JSON does with jsonNumber", () => {
  const out = new TextBuffer();
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const values = [...edgeNumbers];
  for (let i = 0; i < 2000; i++) values.push(Math.floor(random() * 2 ** (1 + (i % 40))) * (i % 3 === 0 ? -1 : 1));
  for (const v of values) out.number(v).text(" ");
  assert.equal(out.take().toString("utf8"), values.map((v) => `${v} `).join(""));
  for (const v of values) out.jsonNumber(v).text(",");
  assert.equal(out.take().toString("utf8"), `${JSON.stringify(values).slice(1, -1)},`);
});

test("text buffer - UTF-8 for any text, short or long; it grows and starts again after take", () => {
  const out = new TextBuffer();
  const texts = ["", "plain", "é", 'x"\u2028', "😀 emoji", "a".repeat(65), `${"b".repeat(70)}é`, "c".repeat(200_000)];
  for (const t of texts) out.text(t);
  assert.deepEqual(out.take(), Buffer.from(texts.join(""), "utf8"));
  out.text("again").number(42);
  assert.equal(out.take().toString("utf8"), "again42");
});

test("text buffer - pieces, whole or in part, short or long (copied by blocks), as their bytes", () => {
  const out = new TextBuffer();
  const pieces = [
    "",
    "}",
    ',{"link":',
    ',"reverse":false,"packets":',
    "é and more than a dozen bytes",
    "x".repeat(70_000),
  ].map((t) => TextBuffer.encoded(t));
  const expected: Uint8Array[] = [];
  for (let round = 0; round < 3; round++)
    for (const p of pieces) {
      out.piece(p).text("|");
      expected.push(p, Buffer.from("|"));
      out.piece(p, 1, Math.max(1, p.length - 1)).text("|"); // a part: the piece's inner bytes
      expected.push(p.subarray(1, Math.max(1, p.length - 1)), Buffer.from("|"));
    }
  assert.deepEqual(out.take(), Buffer.concat(expected));
});
