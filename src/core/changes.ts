/**
 * A signal that the data changed, so caches of derived figures (the users list's counts) can be
 * dropped at once in this instance rather than when they age out.
 */
const listeners = new Set<() => void>();

export function onChange(listener: () => void): void {
  listeners.add(listener);
}

export function notifyChange(): void {
  for (const listener of listeners) listener();
}
