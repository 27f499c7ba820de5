/**
 * The five dctwin dashboards as data: what each panel shows, in which unit, from which PromQL, one module per
 * dashboard in dashboards/. Metric names are those of coordinator/observability/prometheus (one family per
 * aggregation scope, base units).
 */
import type { DashboardSpec } from "./panels.ts";
import { currents } from "./dashboards/currents.ts";
import { energy } from "./dashboards/energy.ts";
import { experiments } from "./dashboards/experiments.ts";
import { overview } from "./dashboards/overview.ts";
import { services } from "./dashboards/services.ts";

export const DASHBOARDS: readonly DashboardSpec[] = [overview, energy, currents, services, experiments];
