import { invalidValue } from './errors';

/*
 * Reading a resource the client sent: attribute names are case-insensitive (RFC 7643 §2.1), a
 * string boolean is Entra's ("True", "False"), and an attribute may come with the core schema's
 * URN before it.
 */

/** The member of an object whose name matches without case (the first, if several do). */
export function member(object: Record<string, unknown>, name: string): unknown {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(object)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A complex attribute: absent or null is an empty object; anything but an object is refused. */
export function complex(value: unknown, attribute: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw invalidValue(`${attribute} is an object.`);
  return value;
}

/** true/false, or Entra's "True"/"False"; absent or null is undefined; anything else is kept for the domain to refuse. */
export function booleanOf(value: unknown): unknown {
  if (value === null) return undefined;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim()))
    return value.trim().toLowerCase() === 'true';
  return value;
}

/** A string attribute's text, or undefined when it is absent, null or blank. */
export function textOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}
