/**
 * Snapshots of a live object graph (a shard, a planner, the coordinator's ledgers) as bytes, and back.
 *
 * Runtime and model state is plain data held in a few classes (DESIGN.md "Checkpoints and recovery"), so one
 * generic walk captures it all without every class writing its own serialiser: class instances are written with
 * the name of their class (which must be registered, so a restore gets the same prototype back), shared objects
 * and cycles keep their identity (V8's serializer does that), typed arrays, Maps and Sets are kept as they are.
 * What cannot be data — model objects (functions) and the scenario (large, and rebuilt from its JSON) — is named
 * by an `externals` table that the restoring side builds again the same way. A function anywhere else is an error
 * that names its path, so state that is not plain data fails loudly at the first checkpoint. A class may give the
 * fields it is written with (`[SNAPSHOT_FIELDS]`), e.g. a typed array cut to its used length rather than its capacity.
 */
import { deserialize, serialize } from "node:v8";

const CLASS = "\u0000class";
const FIELDS = "\u0000fields";
const EXTERNAL = "\u0000external";

/**
 * A method a snapshottable class may have: its fields as a snapshot writes them (all own fields, some perhaps cut
 * down), where restoring them gives an object that behaves the same.
 */
export const SNAPSHOT_FIELDS: unique symbol = Symbol("snapshotFields");

interface OwnSnapshotFields {
  [SNAPSHOT_FIELDS](): Record<string, unknown>;
}

export class SnapshotError extends Error {
  override name = "SnapshotError";
}

/** A class, by what a restore needs of it: its prototype (constructors may be private). */
type AnyClass = { readonly prototype: object };

const byName = new Map<string, object>();
const byPrototype = new Map<object, string>();

/** Makes instances of these classes snapshottable (by class name, which must be unique among them). */
export function registerSnapshotClasses(classes: Record<string, AnyClass>): void {
  for (const [name, cls] of Object.entries(classes)) {
    const known = byName.get(name);
    if (known !== undefined && known !== cls.prototype)
      throw new SnapshotError(`two snapshot classes are named ${name}`);
    byName.set(name, cls.prototype);
    byPrototype.set(cls.prototype, name);
  }
}

/** Objects written by name instead of by value; the restoring side passes a table with the same names. */
export type Externals = Map<object, string>;

export function encodeSnapshot(root: unknown, externals: Externals): Uint8Array {
  const memo = new Map<object, unknown>();
  const encode = (value: unknown, path: string): unknown => {
    if (typeof value === "function") throw new SnapshotError(`state is not plain data: a function at ${path}`);
    if (typeof value !== "object" || value === null) return value;
    const seen = memo.get(value);
    if (seen !== undefined) return seen;
    const external = externals.get(value);
    if (external !== undefined) return remember(value, { [EXTERNAL]: external });
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return remember(value, value);
    if (Array.isArray(value)) {
      const out = remember(value, new Array<unknown>(value.length));
      for (let i = 0; i < value.length; i++) out[i] = encode(value[i], `${path}[${i}]`);
      return out;
    }
    if (value instanceof Map) {
      const out = remember(value, new Map<unknown, unknown>());
      for (const [k, v] of value) out.set(encode(k, `${path}.key`), encode(v, `${path}.get(${String(k)})`));
      return out;
    }
    if (value instanceof Set) {
      const out = remember(value, new Set<unknown>());
      for (const v of value) out.add(encode(v, `${path}.has`));
      return out;
    }
    const proto = Object.getPrototypeOf(value) as object | null;
    const plain = proto === Object.prototype || proto === null;
    const className = plain ? undefined : byPrototype.get(proto);
    if (!plain && className === undefined)
      throw new SnapshotError(
        `state is not plain data: an instance of unregistered class ${proto?.constructor?.name ?? "?"} at ${path}`,
      );
    const fields: Record<string, unknown> = {};
    remember(value, plain ? fields : { [CLASS]: className, [FIELDS]: fields });
    const own = (value as Partial<OwnSnapshotFields>)[SNAPSHOT_FIELDS];
    const source = own === undefined ? (value as Record<string, unknown>) : own.call(value);
    for (const key of Object.keys(source)) fields[key] = encode(source[key], `${path}.${key}`);
    return memo.get(value);
  };
  const remember = <T>(from: object, to: T): T => (memo.set(from, to), to);
  return serialize(encode(root, "$"));
}

export function decodeSnapshot<T>(bytes: Uint8Array, externals: ReadonlyMap<string, object>): T {
  const memo = new Map<object, unknown>();
  const decode = (value: unknown): unknown => {
    if (typeof value !== "object" || value === null) return value;
    const seen = memo.get(value);
    if (seen !== undefined) return seen;
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return remember(value, value);
    if (Array.isArray(value)) {
      const out = remember(value, new Array<unknown>(value.length));
      for (let i = 0; i < value.length; i++) out[i] = decode(value[i]);
      return out;
    }
    if (value instanceof Map) {
      const out = remember(value, new Map<unknown, unknown>());
      for (const [k, v] of value) out.set(decode(k), decode(v));
      return out;
    }
    if (value instanceof Set) {
      const out = remember(value, new Set<unknown>());
      for (const v of value) out.add(decode(v));
      return out;
    }
    const record = value as Record<string, unknown>;
    if (EXTERNAL in record) {
      const external = externals.get(record[EXTERNAL] as string);
      if (external === undefined)
        throw new SnapshotError(`the snapshot refers to ${String(record[EXTERNAL])}, which this run does not have`);
      return remember(value, external);
    }
    let fields = record;
    let out: Record<string, unknown>;
    if (CLASS in record) {
      const proto = byName.get(record[CLASS] as string);
      if (proto === undefined)
        throw new SnapshotError(`the snapshot holds an instance of unknown class ${String(record[CLASS])}`);
      out = remember(value, Object.create(proto) as Record<string, unknown>);
      fields = record[FIELDS] as Record<string, unknown>;
    } else out = remember(value, {});
    for (const key of Object.keys(fields)) out[key] = decode(fields[key]);
    return out;
  };
  const remember = <T>(from: object, to: T): T => (memo.set(from, to), to);
  let root: unknown;
  try {
    root = deserialize(bytes);
  } catch (error) {
    throw new SnapshotError(`the snapshot does not decode (truncated or corrupted?): ${(error as Error).message}`);
  }
  return decode(root) as T;
}
