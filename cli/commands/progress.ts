/**
 * Progress of a long run on a terminal: simulated time, speed against wall time, packets created. One line,
 * redrawn at most 4 times a second; nothing at all when stderr is not a terminal (CI logs stay clean).
 */
import type { WindowProgress } from "../../coordinator/driver/run-driver.ts";

export function createProgress(durationNs: number, stream: NodeJS.WriteStream = process.stderr) {
  if (!stream.isTTY) return { update: (_: WindowProgress) => {}, done: () => {} };
  const startMs = performance.now();
  let lastDrawMs = 0;
  let drawn = false;
  const draw = (p: WindowProgress) => {
    const wallS = (performance.now() - startMs) / 1000;
    const simS = p.endNs / 1e9;
    const pct = ((100 * p.endNs) / durationNs).toFixed(1);
    const speed = wallS > 0 ? simS / wallS : 0;
    stream.write(
      `\r\x1b[2K  t = ${simS.toFixed(3)} s of ${(durationNs / 1e9).toFixed(3)} s (${pct}%)  ${speed.toFixed(2)}× real time  ${compact(p.packets)} packets (${compact(wallS > 0 ? p.packets / wallS : 0)}/s)  ${compact(p.window + 1)} windows`,
    );
    drawn = true;
  };
  return {
    update(p: WindowProgress) {
      const now = performance.now();
      if (now - lastDrawMs < 250) return;
      lastDrawMs = now;
      draw(p);
    },
    done() {
      if (drawn) stream.write("\r\x1b[2K");
    },
  };
}

function compact(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(0);
}
