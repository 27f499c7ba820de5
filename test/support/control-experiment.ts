/** The experiment of the control-layer checkpoint and recovery tests (on crossHostScenario, scenarios.ts). */

/** A scheduled link cut with its clear, a load ramp, and checks over them (both pass). */
export const EXPERIMENT = {
  faults: [
    { name: "cut", action: "link-down", selector: { links: ["clients-b--server-a"] }, at: "500ms", duration: "500ms" },
  ],
  load: [{ name: "more", selector: { actors: ["clients-a"] }, at: "1250ms", ramp: { factor: 1.5, duration: "250ms" } }],
  checks: [
    { name: "the cut drops", threshold: "dropped_packets{link_down} count > 0", during: "cut" },
    { name: "answers after", threshold: "response_time_s p(99) < 1s", from: "1s", to: "2s" },
  ],
};

/** The experiment's outputs besides the run's results. */
export const EXPERIMENT_FILES = ["experiment.json", "faults.csv", "commands.json"];
