/** `link-down`: packets sent on the links are dropped (reason link_down). */
import { parameterlessAction } from "./parameterless.ts";

export const linkDown = parameterlessAction("link-down", "packets sent on the links are dropped", "linkDown");
