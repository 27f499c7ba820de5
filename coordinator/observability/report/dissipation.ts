/**
 * The report's "where is entropy produced" figures, drawn server-side as inline SVG and tables (no script needed,
 * so they show even with JavaScript off): entropy production by link with its standard errors, the topology
 * coloured by dissipation, the top service paths (cycles) by dissipation, and the TUR precision cost of the
 * strongest currents. Everything comes from summary.json's irreversibility ledger and, for the picture, the actor
 * and link list in intervals.jsonl.
 */
import type { Json, ReportData } from "./load.ts";
import type { RunView } from "../run-view.ts";
import { formatValue } from "./tables.ts";

export interface Figure {
  title: string;
  note?: string;
  html: string;
}

const MAX_BARS = 15;
const MAX_TOPOLOGY_ACTORS = 2000;
/** Up to this many actors, each is named in the picture. */
const MAX_LABELLED_ACTORS = 40;

type Obj = { [key: string]: Json };

function obj(v: Json | undefined): Obj | null {
  return v !== null && v !== undefined && typeof v === "object" && !Array.isArray(v) ? v : null;
}

function list(v: Json | undefined): Obj[] {
  return Array.isArray(v) ? v.map(obj).filter((o): o is Obj => o !== null) : [];
}

function num(v: Json | undefined): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Light grey (none) through orange to dark red (the most), on a log scale over three decades below the maximum. */
export function heatColour(value: number, max: number): string {
  if (!(value > 0) || !(max > 0)) return "#d0d0d0";
  const t = Math.max(0, Math.min(1, 1 + Math.log10(value / max) / 3));
  const stops = [
    [254, 224, 139],
    [253, 141, 60],
    [215, 48, 31],
    [127, 0, 0],
  ];
  const x = t * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const c = stops[i]!.map((a, k) => Math.round(a + (stops[i + 1]![k]! - a) * f));
  return `rgb(${c.join(",")})`;
}

export function dissipationFigures(data: ReportData): Figure[] {
  const ir = obj(obj(data.summary.thermodynamics)?.irreversibility);
  if (ir === null || !Array.isArray(ir.links)) return [];
  return [linkBars(ir), topology(ir, data.intervals?.view ?? null), servicePaths(ir), tur(ir)].filter(
    (f): f is Figure => f !== null,
  );
}

/** Horizontal bars: σ per link (mechanism), largest first, with ±1 standard error whiskers. */
function linkBars(ir: Obj): Figure | null {
  const links = list(ir.links)
    .filter((l) => num(l.sigma_kb_per_s) > 0)
    .sort((a, b) => num(b.sigma_kb_per_s) - num(a.sigma_kb_per_s));
  if (links.length === 0)
    return {
      title: "Entropy production by link",
      html: "",
      note: "No link produces entropy: every link carries as much one way as the other.",
    };
  const shown = links.slice(0, MAX_BARS);
  const max = Math.max(...shown.map((l) => num(l.sigma_kb_per_s) + num(l.sigma_stderr_kb_per_s)));
  const labelW = 260;
  const barW = 420;
  const rowH = 20;
  const rows = shown.map((l, i) => {
    const y = i * rowH + 4;
    const sigma = num(l.sigma_kb_per_s);
    const err = num(l.sigma_stderr_kb_per_s);
    const w = (sigma / max) * barW;
    const lo = Math.max(0, ((sigma - err) / max) * barW);
    const hi = ((sigma + err) / max) * barW;
    const name = `${String(l.from)} → ${String(l.to)}`;
    const oneWay = l.reverse_never_seen === true ? " (reverse never seen: pseudo-count)" : "";
    return `<g><title>${esc(`${String(l.link)}: σ = ${formatValue(sigma)} ± ${formatValue(err)} k_B/s, net ${formatValue(num(l.net_current_packets_per_s))} packets/s${oneWay}`)}</title>
<text x="${labelW - 6}" y="${y + 13}" text-anchor="end">${esc(name.length > 40 ? `${name.slice(0, 39)}…` : name)}</text>
<rect x="${labelW}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${l.reverse_never_seen === true ? "#7f0000" : "#d7301f"}"/>
<line x1="${(labelW + lo).toFixed(1)}" x2="${(labelW + hi).toFixed(1)}" y1="${y + rowH / 2}" y2="${y + rowH / 2}" stroke="#222"/>
<text x="${(labelW + Math.max(w, hi) + 6).toFixed(1)}" y="${y + 13}">${esc(formatValue(sigma))}</text></g>`;
  });
  const height = shown.length * rowH + 8;
  const note = `σ in k_B per simulated second, ±1 standard error; dark bars: reverse never seen (σ from the pseudo-count α = ${formatValue(ir.pseudo_count)}).${links.length > shown.length ? ` Largest ${shown.length} of ${links.length} links.` : ""}`;
  return {
    title: "Entropy production by link",
    note,
    html: `<svg class="fig" viewBox="0 0 ${labelW + barW + 80} ${height}" width="${labelW + barW + 80}" height="${height}" font-size="11">${rows.join("")}</svg>`,
  };
}

/** Layer of an actor in the picture: generated tiers first, then kinds. */
function layerOf(actor: RunView["actors"][number]): number {
  const tiers: Record<string, number> = { core: 1, spine: 1, agg: 2, leaf: 3, edge: 3, server: 4 };
  const tier = actor.labels.tier;
  if (tier !== undefined && tiers[tier] !== undefined) return tiers[tier];
  const kinds: Record<string, number> = { client: 0, load_balancer: 1, switch: 2 };
  return kinds[actor.kind] ?? 4;
}

/** The network with links coloured by their σ and actors by theirs (each end of a link carries half). */
function topology(ir: Obj, view: RunView | null): Figure | null {
  if (view === null)
    return {
      title: "Topology coloured by dissipation",
      html: "",
      note: "intervals.jsonl is missing: the picture needs its actor and link list.",
    };
  if (view.actors.length > MAX_TOPOLOGY_ACTORS)
    return {
      title: "Topology coloured by dissipation",
      html: "",
      note: `${view.actors.length} actors are too many for one picture; see the tables.`,
    };
  const sigmaByLink = new Map<string, number>();
  for (const l of list(ir.links))
    sigmaByLink.set(String(l.link), (sigmaByLink.get(String(l.link)) ?? 0) + num(l.sigma_kb_per_s));
  const sigmaByActor = new Map(list(ir.nodes).map((n) => [String(n.actor), num(n.sigma_kb_per_s)]));
  const maxLink = Math.max(0, ...sigmaByLink.values());
  const maxActor = Math.max(0, ...sigmaByActor.values());

  const layers = new Map<number, number[]>();
  view.actors.forEach((a, i) => {
    const layer = layerOf(a);
    layers.set(layer, [...(layers.get(layer) ?? []), i]);
  });
  const order = [...layers.keys()].sort((a, b) => a - b);
  const width = 1100;
  const layerGap = 90;
  const pos: { x: number; y: number }[] = [];
  order.forEach((layer, row) => {
    const members = layers.get(layer)!;
    members.forEach(
      (actor, k) => (pos[actor] = { x: 20 + ((k + 0.5) * (width - 40)) / members.length, y: 30 + row * layerGap }),
    );
  });
  // The nodes and their labels, then a band of its own for the legend, so it never covers a label.
  const nodesHeight = 50 + (order.length - 1) * layerGap;
  const height = nodesHeight + 40;
  const radius = Math.max(
    2.5,
    Math.min(9, (width - 40) / Math.max(...[...layers.values()].map((m) => m.length)) / 2.5),
  );
  const lines = view.links.map((l) => {
    const s = sigmaByLink.get(l.id) ?? 0;
    const a = pos[l.a]!;
    const b = pos[l.b]!;
    return `<line x1="${a.x.toFixed(1)}" y1="${a.y}" x2="${b.x.toFixed(1)}" y2="${b.y}" stroke="${heatColour(s, maxLink)}" stroke-width="${s > 0 ? 2 : 1}"><title>${esc(`${l.id}: σ = ${formatValue(s)} k_B/s`)}</title></line>`;
  });
  const circles = view.actors.map((a, i) => {
    const s = sigmaByActor.get(a.id) ?? 0;
    const p = pos[i]!;
    const label =
      view.actors.length <= MAX_LABELLED_ACTORS
        ? `<text x="${p.x.toFixed(1)}" y="${(p.y + radius + 11).toFixed(1)}" text-anchor="middle">${esc(a.id)}</text>`
        : "";
    return `<circle cx="${p.x.toFixed(1)}" cy="${p.y}" r="${radius.toFixed(1)}" fill="${heatColour(s, maxActor)}" stroke="#555" stroke-width="0.5"><title>${esc(`${a.id} (${a.kind}): σ = ${formatValue(s)} k_B/s`)}</title></circle>${label}`;
  });
  const legend =
    maxLink <= 0
      ? `<text x="${width - 10}" y="${height - 5}" text-anchor="end">no link has a finite σ (every current is one-way): all grey</text>`
      : [0, 1e-3, 1e-2, 1e-1, 1]
          .map(
            (f, i) =>
              `<rect x="${width - 360 + i * 70}" y="${height - 14}" width="70" height="10" fill="${heatColour(f * maxLink, maxLink)}"/><text x="${width - 360 + i * 70 + 35}" y="${height - 18}" text-anchor="middle">${f === 0 ? "0" : (f * maxLink).toPrecision(2)}</text>`,
          )
          .join("") +
        `<text x="${width - 366}" y="${height - 5}" text-anchor="end">link σ (k_B/s)</text><line x1="10" x2="${width - 10}" y1="${nodesHeight + 6}" y2="${nodesHeight + 6}" stroke="#eee"/>`;
  return {
    title: "Topology coloured by dissipation",
    note: "Links by their σ, actors by theirs (k_B/s, log colour scale: the legend is for links); layers: clients, load balancers, switches (core/spine, aggregation, edge/leaf), servers. Hover for figures.",
    html: `<svg class="fig" viewBox="0 0 ${width} ${height + 8}" width="100%" font-size="10">${lines.join("")}${circles.join("")}${legend}</svg>`,
  };
}

/** The cycles of the transition graph by σ: which service paths dissipate. */
function servicePaths(ir: Obj): Figure | null {
  const cycles = obj(ir.cycles);
  const top = list(cycles?.top).filter((c) => num(c.sigma_kb_per_s) > 0);
  if (top.length === 0) return null;
  const total = num(ir.sigma_kb_per_s);
  const rows = top.map((c) => {
    const nodes = Array.isArray(c.nodes) ? c.nodes.map(String) : [];
    const share = total > 0 ? num(c.sigma_kb_per_s) / total : 0;
    return `<tr><td class="path">${esc([...nodes, nodes[0] ?? ""].join(" → "))}</td><td>${esc(formatValue(num(c.sigma_kb_per_s)))}</td><td><span class="bar" style="width:${Math.round(Math.min(1, share) * 120)}px"></span> ${esc((share * 100).toFixed(1))}%</td><td>${esc(formatValue(num(c.affinity_kb)))}</td><td>${esc(formatValue(num(c.current_per_s)))}</td></tr>`;
  });
  const shown = top.reduce((sum, c) => sum + num(c.sigma_kb_per_s), 0);
  const fromCycles = num(cycles?.sigma_from_cycles_kb_per_s);
  const rest = fromCycles - shown;
  // Why shares can add past 100 %: in a fundamental-cycle basis a cycle's term J_C·A_C is negative when its chord
  // current runs against its affinity; the positive terms listed then exceed the total the negative ones reduce.
  const sharesNote =
    total > 0
      ? ` The shares are of σ from the links; the cycles shown add up to ${((shown / total) * 100).toFixed(1)} %${rest < 0 ? `, the others (terms J_C·A_C of cycles whose current runs against their affinity are negative) to ${((rest / total) * 100).toFixed(1)} %` : rest > 0 ? `, the ones not shown to ${((rest / total) * 100).toFixed(1)} %` : ""}: in a cycle basis the terms of all cycles add up to σ, but a single term may be negative, so the positive ones can add past 100 %.`
      : "";
  return {
    title: "Top service paths by dissipation",
    note: `Fundamental cycles of the transition graph (the environment closes open paths); σ_C = J_C·A_C. Sum over all cycles: ${formatValue(fromCycles)} k_B/s against ${formatValue(total)} k_B/s from the links.${sharesNote}`,
    html: `<table class="grid"><tr><th>cycle</th><th>σ (k_B/s)</th><th>share of σ</th><th>affinity (k_B)</th><th>current (1/s)</th></tr>${rows.join("")}</table>`,
  };
}

/** TUR: how much dissipation the precision of each strong current costs. */
function tur(ir: Obj): Figure | null {
  const rows = list(ir.tur);
  if (rows.length === 0) return null;
  return {
    title: "TUR precision cost of the strongest currents",
    note: "Per window τ of the net current J_τ: σ_TUR = 2⟨J_τ⟩²/(τ·Var J_τ), the least entropy production a current this precise needs; precision cost Q = σ·τ·Var J_τ/⟨J_τ⟩² ≥ 2; η_TUR = 2/Q ≤ 1.",
    html: `<table class="grid"><tr><th>link</th><th>direction</th><th>mean per window</th><th>σ_TUR (k_B/s)</th><th>Q</th><th>η_TUR</th></tr>${rows
      .map(
        (t) =>
          `<tr><td class="path">${esc(String(t.link))}</td><td class="path">${esc(`${String(t.from)} → ${String(t.to)}`)}</td>${[t.mean_current_per_window, t.sigma_tur_kb_per_s, t.precision_cost_q, t.eta_tur].map((v) => `<td>${esc(formatValue(v))}</td>`).join("")}</tr>`,
      )
      .join("")}</table>`,
  };
}
