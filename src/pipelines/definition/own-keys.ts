/**
 * Sets an own property even when the key is `__proto__`: YAML and JSON keep such a key as data (`__proto__: 1` is a
 * key like any other), but `object[key] = value` would replace the object's prototype instead, so a key from a
 * pipeline or params file would vanish, or shadow every missing key. Used wherever file keys are copied.
 */
export const setOwn = (target: object, key: string, value: unknown): void => {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
};

/** target[key] as an own property, created with `make` when absent. */
export const ownOrCreate = <T>(target: Record<string, unknown>, key: string, make: () => T): T => {
  if (Object.hasOwn(target, key)) return target[key] as T;
  const made = make();
  setOwn(target, key, made);
  return made;
};
