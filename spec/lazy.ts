/**
 * A value built on its first use: for the zod schemas (and records of them) that model modules define at their top
 * level. Building a zod schema is costly (each one runs zod's initialisers for every check and method), and a host
 * process loads every model module but never checks parameters (the coordinator did when the scenario loaded):
 * built at load, the schemas were a third of the time until a host can take its run (nodes/host.ts). A command's
 * schema is built when the first such command comes.
 *
 * The value stands in for what `build` returns (a Proxy that forwards every operation to it, built once), so a
 * lazy schema is used, composed and typed as the schema itself.
 */
export function lazy<T extends object>(build: () => T): T {
  let built: T | undefined;
  const value = (): T => (built ??= build());
  return new Proxy({} as T, {
    get: (_, key) => Reflect.get(value(), key),
    set: (_, key, v) => Reflect.set(value(), key, v),
    has: (_, key) => Reflect.has(value(), key),
    ownKeys: () => Reflect.ownKeys(value()),
    // A proxy may not report a property as non-configurable when its own (empty) target lacks it.
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(value(), key);
      return descriptor === undefined ? undefined : { ...descriptor, configurable: true };
    },
    defineProperty: (_, key, descriptor) => Reflect.defineProperty(value(), key, descriptor),
    deleteProperty: (_, key) => Reflect.deleteProperty(value(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(value()),
  });
}
