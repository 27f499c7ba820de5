/** Builders for observability tests. */
export { emptyInterval as emptyRecordForTest } from "../../coordinator/counts/aggregate.ts";

/**
 * Two client groups (shoppers, crawlers) in front of a powered one-core server with a small queue, so runs have
 * drops by reason, several groups and energy: the scenario the exporter and report tests look at.
 */
export function twoGroupShop(o: {
  name: string;
  durationS: number;
  seed: number;
  crawlersPerS: number;
  crawlerLinkLoss?: number;
}) {
  return {
    name: o.name,
    run: { duration: `${o.durationS}s`, seed: o.seed, metrics_interval: "500ms" },
    actors: [
      {
        id: "shop",
        kind: "client",
        group: "shoppers",
        target: "web",
        arrivals: { process: "poisson", rate_per_s: 700 },
        request_bytes: 300,
        response_bytes: 2000,
      },
      {
        id: "bots",
        kind: "client",
        group: "crawlers",
        target: "web",
        arrivals: { process: "poisson", rate_per_s: o.crawlersPerS },
        request_bytes: 200,
        response_bytes: 800,
      },
      {
        id: "web",
        kind: "server",
        cores: 1,
        service: { distribution: "exponential", mean: "1ms" },
        queue_limit: 3,
        power: { model: "linear", idle_w: 100, max_w: 250 },
      },
    ],
    links: [
      { a: "shop", b: "web", latency: "100us", bandwidth: "1Gbps" },
      {
        a: "bots",
        b: "web",
        latency: "100us",
        bandwidth: "1Gbps",
        ...(o.crawlerLinkLoss === undefined ? {} : { loss: o.crawlerLinkLoss }),
      },
    ],
  };
}
