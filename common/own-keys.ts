// Records keyed by names read from files: a tensor may be called "__proto__" or "constructor", so set
// and look up own properties only (plain `o[k] = v` on "__proto__" would change the prototype, and
// `o["toString"]` would find Object.prototype's).
export function setOwn<T>(o: Record<string, T>, k: string, v: T): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

export function getOwn<T>(o: Record<string, T>, k: string): T | undefined {
  return Object.hasOwn(o, k) ? o[k] : undefined;
}
