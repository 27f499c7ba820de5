import assert from "node:assert/strict";
import { test } from "node:test";
import {
  batchMeanStderr,
  createSeededUniform,
  detailedBalanceTest,
  estimateSigma,
  estimateSigmaWithErrors,
  jackknife,
  pairCounts,
  pairTransitions,
  type TransitionCount,
} from "./index.ts";
import { sigmaOfPairedCounts } from "./estimators.ts";
import { assertRel } from "./testing.ts";

const c = (from: string, to: string, count: number, mechanism?: string): TransitionCount => ({
  from,
  to,
  count,
  mechanism,
});

test("estimators - plug-in σ̂ with pseudo-count ½ by hand", () => {
  const counts = [c("a", "b", 10), c("b", "a", 5), c("b", "c", 8), c("c", "b", 3), c("c", "a", 7), c("a", "c", 2)];
  const e = estimateSigma(counts, 2);
  const f = (x: number, y: number) => (x - y) * Math.log(x / y);
  assertRel(e.sigmaKbPerS, (f(10.5, 5.5) + f(8.5, 3.5) + f(7.5, 2.5)) / 2, 1e-14, "σ̂");
  assert.equal(e.pseudoCount, 0.5);
  assert.equal(e.unseenReverse, "pseudoCount");
  assert.equal(e.independentCycles, 1);
  assert.equal(e.observedStates, 3);
  assertRel(e.edges[0]!.netCurrentPerS, 2.5, 1e-15, "J_ab from raw counts");
  assertRel(e.edges[0]!.forceKb, Math.log(10.5 / 5.5), 1e-14, "force");
  assertRel(
    e.edges.reduce((t, x) => t + x.sigmaKbPerS, 0),
    e.sigmaKbPerS,
    1e-14,
    "Σ edges",
  );
  const a1 = estimateSigma(counts, 2, { pseudoCount: 1 });
  assertRel(a1.sigmaKbPerS, (f(11, 6) + f(9, 4) + f(8, 3)) / 2, 1e-14, "α = 1");
});

test("estimators - pairs are resolved by mechanism; unseen reverses", () => {
  // A queue: packets arrive (client→queue) and leave (queue→sink); both raise/lower the same length.
  const counts = [c("n0", "n1", 100, "arrival"), c("n1", "n0", 100, "service"), c("n1", "n0", 1, "arrival")];
  const irr = estimateSigma(counts, 10, { unseenReverse: "irreversible" });
  assert.equal(irr.pseudoCount, 0);
  assert.equal(irr.edges.length, 1);
  assert.deepEqual(irr.irreversible, [{ from: "n1", to: "n0", mechanism: "service", count: 100, currentPerS: 10 }]);
  assertRel(irr.sigmaKbPerS, (99 * Math.log(100)) / 10, 1e-14, "paired arrival only");
  const pc = estimateSigma(counts, 10);
  assert.equal(pc.irreversible.length, 0);
  assert.equal(pc.edges.length, 2);
  assertRel(pc.sigmaKbPerS, (99 * Math.log(100.5 / 1.5) + 100 * Math.log(100.5 / 0.5)) / 10, 1e-14, "pseudo-counts");
  assert.equal(pc.independentCycles, 1, "two mechanisms between two states form a cycle");
  // Pairing by states only would see 101 up, 100 down: σ̂ ≈ 0. That is the wrong answer docs/thermo.md warns about.
  const merged = estimateSigma(
    counts.map((x) => ({ ...x, mechanism: undefined })),
    10,
  );
  assert.ok(merged.sigmaKbPerS < 0.01 * pc.sigmaKbPerS);
  // Repeated entries add up.
  const twice = estimateSigma([...counts, ...counts], 20);
  assertRel(twice.edges[0]!.forwardCount, 200, 0, "summed");
});

test("estimators - σ̂ is never negative, NaN or infinite", () => {
  const u = createSeededUniform(11);
  const states = ["a", "b", "c", "d"];
  const pick = (): number => {
    const r = u();
    if (r < 0.25) return 0;
    if (r < 0.35) return 1e15 + Math.floor(u() * 3);
    if (r < 0.4) return 1e300;
    return Math.floor(u() * 50);
  };
  for (let trial = 0; trial < 2000; trial++) {
    const counts: TransitionCount[] = [];
    for (const a of states)
      for (const b of states) if (a !== b && u() < 0.7) counts.push(c(a, b, pick(), u() < 0.5 ? "x" : "y"));
    for (const unseenReverse of ["pseudoCount", "irreversible"] as const) {
      const e = estimateSigma(counts, 0.5 + u(), { unseenReverse });
      assert.ok(Number.isFinite(e.sigmaKbPerS) && e.sigmaKbPerS >= 0, `trial ${trial}: ${e.sigmaKbPerS}`);
      for (const x of e.edges)
        assert.ok(Number.isFinite(x.forceKb) && x.sigmaKbPerS >= 0 && Number.isFinite(x.sigmaKbPerS));
    }
  }
  assert.equal(estimateSigma([], 1).sigmaKbPerS, 0);
  assert.equal(estimateSigma([c("a", "b", 0), c("b", "a", 0)], 1).sigmaKbPerS, 0);
  assert.equal(estimateSigma([c("a", "b", 7), c("b", "a", 7)], 1).sigmaKbPerS, 0);
  assert.throws(() => estimateSigma([c("a", "b", -1)], 1), RangeError);
  assert.throws(() => estimateSigma([c("a", "b", Number.NaN)], 1), RangeError);
  assert.throws(() => estimateSigma([], 0), RangeError);
  assert.throws(() => estimateSigma([], 1, { pseudoCount: 0 }), RangeError);
});

test("estimators - jackknife and batch means of a mean are the textbook standard error", () => {
  const xs = [3, 1, 4, 1, 5, 9, 2, 6];
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
  const loo = xs.map((_, i) => (m * xs.length - xs[i]!) / (xs.length - 1));
  const jk = jackknife(m, loo);
  assertRel(jk.stderr, sd / Math.sqrt(xs.length), 1e-14, "jackknife SE");
  assert.ok(Math.abs(jk.bias) < 1e-14, "a mean has no bias");
  const bm = batchMeanStderr(xs);
  assertRel(bm.stderr, sd / Math.sqrt(xs.length), 1e-14, "batch-means SE");
  assert.throws(() => jackknife(1, [1]), RangeError);
});

test("estimators - error bars use pooled counts for the point estimate", () => {
  const batch = (k: number) => ({
    durationS: 1,
    counts: [
      c("a", "b", 10 + k),
      c("b", "a", 4),
      c("b", "c", 9),
      c("c", "b", 3 + (k % 2)),
      c("c", "a", 8),
      c("a", "c", 2),
    ],
  });
  const batches = [0, 1, 2, 3, 4].map(batch);
  const r = estimateSigmaWithErrors(batches);
  const pooled = estimateSigma(
    batches.flatMap((b) => b.counts),
    5,
  );
  assert.deepEqual(r.estimate, pooled);
  assert.equal(r.batches, 5);
  assertRel(r.jackknife.biasCorrectedKbPerS, pooled.sigmaKbPerS - r.jackknife.biasKbPerS, 1e-14, "bias correction");
  assert.ok(r.jackknife.stderrKbPerS > 0 && r.batchMeans.stderrKbPerS > 0);
  assert.equal(r.edgeStderr.length, pooled.edges.length);
  assert.ok(r.edgeStderr[0]!.netCurrentPerS > 0, "a→b varies between batches");
  assert.equal(r.edgeStderr[2]!.netCurrentPerS, 0, "c→a is the same in every batch");
  assert.ok(r.edgeStderr.every((s) => Number.isFinite(s.sigmaKbPerS)));
  assert.throws(() => estimateSigmaWithErrors([batch(0)]), RangeError);
});

test("estimators - detailed-balance test on a tree cannot reject", () => {
  const e = estimateSigma([c("a", "b", 10), c("b", "a", 9), c("b", "c", 5), c("c", "b", 5)], 1);
  assert.equal(e.independentCycles, 0);
  const t = detailedBalanceTest(e);
  assert.equal(t.dof, 0);
  assert.equal(t.reject, false);
  assert.equal(t.pValue, 1);
});

test("estimators - error bars made batch by batch equal the whole matrix of batches and pairs, to the last bit", () => {
  const u = createSeededUniform(5);
  const states = ["a", "b", "c", "d", "e"];
  const pick = (n: number): number => Math.floor(u() * n);
  let reads = 0;
  const batches = Array.from({ length: 7 }, (_, b) => {
    const counts = Array.from({ length: 3 + pick(30) }, () =>
      c(states[pick(5)]!, states[pick(5)]!, Math.round(u() * 50) / 4, `m${pick(3)}`),
    );
    return {
      durationS: b === 6 ? 0.3 : 1, // a partial last batch
      get counts() {
        reads++;
        return counts;
      },
    };
  });
  for (const alpha of [undefined, 0.5]) {
    const options = alpha === undefined ? ({ unseenReverse: "irreversible" } as const) : { pseudoCount: alpha };
    reads = 0;
    const r = estimateSigmaWithErrors(batches, options);
    assert.equal(reads, batches.length, "each batch's counts read once");
    // The reference keeps every batch's row of pair sums and every leave-one-out row.
    const counts = batches.map((b) => b.counts);
    const pairs = pairTransitions(counts.flat());
    const per = counts.map((list) => pairCounts(list, pairs));
    const totalS = batches.reduce((s, b) => s + b.durationS, 0);
    const pooled = { forward: new Float64Array(pairs.length), reverse: new Float64Array(pairs.length) };
    for (const p of per)
      for (let k = 0; k < pairs.length; k++)
        (pooled.forward[k]! += p.forward[k]!), (pooled.reverse[k]! += p.reverse[k]!);
    const a = alpha ?? 0;
    const full = new Float64Array(pairs.length);
    sigmaOfPairedCounts(pooled.forward, pooled.reverse, totalS, a, full);
    const looPair = per.map(() => new Float64Array(pairs.length));
    const loo = per.map((p, b) => {
      const t = totalS - batches[b]!.durationS;
      const fwd = pooled.forward.map((x, k) => x - p.forward[k]!);
      const rev = pooled.reverse.map((x, k) => x - p.reverse[k]!);
      return { sigma: sigmaOfPairedCounts(fwd, rev, t, a, looPair[b]), current: fwd.map((x, k) => (x - rev[k]!) / t) };
    });
    const perBatch = per.map((p, b) => sigmaOfPairedCounts(p.forward, p.reverse, batches[b]!.durationS, a));
    assert.deepEqual(r.estimate, estimateSigma(counts.flat(), totalS, options));
    const jk = jackknife(
      r.estimate.sigmaKbPerS,
      loo.map((l) => l.sigma),
    );
    assert.deepEqual(r.jackknife, {
      stderrKbPerS: jk.stderr,
      biasKbPerS: jk.bias,
      biasCorrectedKbPerS: jk.biasCorrected,
    });
    const bm = batchMeanStderr(perBatch);
    assert.deepEqual(r.batchMeans, { meanKbPerS: bm.mean, stderrKbPerS: bm.stderr });
    assert.ok(r.edgeStderr.length > 0);
    r.estimate.edges.forEach((e, i) => {
      const k = pairs.findIndex((p) => p.from === e.from && p.to === e.to && p.mechanism === e.mechanism);
      assert.deepEqual(r.edgeStderr[i], {
        netCurrentPerS: jackknife(
          e.netCurrentPerS,
          loo.map((l) => l.current[k]!),
        ).stderr,
        sigmaKbPerS: jackknife(
          full[k]!,
          looPair.map((row) => row[k]!),
        ).stderr,
      });
    });
  }
});
