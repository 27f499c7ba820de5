/** Grafana units shared by the dashboards' panels, and Boltzmann's constant for entropy in k_B. */
export const SIM_RATE = "suffix:/s (simulated)";
export const K_B_PER_S = "suffix:k_B/s";
export const RATIO = "suffix:×";
/** J/K (exact, SI 2019). */
export const KB = 1.380649e-23;
