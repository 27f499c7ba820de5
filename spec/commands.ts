/**
 * A change to the twin at a window start, as everyone but the wire codec sees it: to one link or to one actor,
 * never both and never neither (the wire's `Command` carries it in its `target` oneof, which protobufjs decodes as
 * a bag of optional fields; nodes/runtime/wire.ts turns a decoded one into this union, or refuses it). Recorded
 * commands (commands.json, experiment.json, checkpoints) keep this shape: `{link: {...}}` or `{actor: {...}}`.
 */

/** A change to a link; fields left out keep their value. */
export interface LinkChange {
  /** Link index. */
  link: number;
  up?: boolean | null;
  latencyNs?: number | null;
  /** Probability. */
  loss?: number | null;
  /** 0: unlimited. */
  bandwidthBps?: number | null;
  jitterNs?: number | null;
}

/** A command to one actor: the runtime's own (crash, pause, ...) or its model's, with JSON arguments. */
export interface ActorOrder {
  /** Actor index. */
  actor: number;
  command: string;
  argsJson: string;
}

/** A command without its sequence number (the driver numbers commands in the order it applies them). */
export type CommandSpec = { link: LinkChange; actor?: null } | { actor: ActorOrder; link?: null };

/** A numbered command, as hosts apply it. */
export type Command = CommandSpec & { seq: number };
