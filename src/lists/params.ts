import { z } from 'zod';

/**
 * A list's URL parameters. Everything a list shows is in its URL, so a link reproduces the view.
 * Reading is lenient: what a stale or hand-edited URL gets wrong is left out (the parameter reads
 * as unset), never refused, unlike a form's fields. Writing leaves unset parameters out.
 */
export interface Param<T> {
  /** Its name in the URL. */
  readonly name: string;
  read(params: URLSearchParams): T;
  write(into: URLSearchParams, value: T): void;
  /** Whether the value asks for anything: an unset filter adds no condition. */
  isSet(value: T): boolean;
  /**
   * How the value reaches SQL in a query compiled once per shape (compiled.ts): as one parameter
   * (`value`), one parameter per item (`each`), or by changing the SQL itself (`shape`).
   */
  readonly binds: 'value' | 'each' | 'shape';
}

/** The allowed values: the keys of a record (of labels), a list, or a test. */
export type Allowed<K extends string> =
  | Readonly<Record<K, unknown>>
  | readonly K[]
  | ((value: string) => value is K);

function allows<K extends string>(allowed: Allowed<K>): (value: string) => value is K {
  if (typeof allowed === 'function') return allowed;
  if (Array.isArray(allowed)) return (value): value is K => (allowed as readonly string[]).includes(value);
  return (value): value is K => Object.hasOwn(allowed, value);
}

/**
 * Text as typed, without control characters (PostgreSQL refuses NUL; stored text has none),
 * trimmed, at most `max` long.
 */
export const textParam = (params: URLSearchParams, name: string, max: number) =>
  (params.get(name) ?? '')
    .replace(/\p{Cc}/gu, '')
    .trim()
    .slice(0, max);

/** Free text; `valid` may refuse what cannot match (then it reads as unset). */
export function text(
  name: string,
  max: number,
  valid: (value: string) => boolean = () => true,
): Param<string> {
  return {
    name,
    binds: 'value',
    read: (params) => {
      const value = textParam(params, name, max);
      return valid(value) ? value : '';
    },
    write: (into, value) => {
      if (value) into.set(name, value);
    },
    isSet: (value) => value !== '',
  };
}

const UUID = z.uuid();
const isUuid = (value: string) => UUID.safeParse(value).success;

/** One id (a team, a project). */
export function uuid(name: string): Param<string> {
  return {
    name,
    binds: 'value',
    read: (params) => {
      const value = params.get(name) ?? '';
      return isUuid(value) ? value : '';
    },
    write: (into, value) => {
      if (value) into.set(name, value);
    },
    isSet: (value) => value !== '',
  };
}

/** Any number of ids (roles), at most `max`: each one a parameter of the query. */
export function uuids(name: string, max: number): Param<string[]> {
  return {
    name,
    binds: 'each',
    read: (params) => params.getAll(name).filter(isUuid).slice(0, max),
    write: (into, values) => {
      for (const value of values) into.append(name, value);
    },
    isSet: (values) => values.length > 0,
  };
}

/** A whole number from `min` to `max` (days). */
export function integer(name: string, min: number, max: number): Param<number | null> {
  return {
    name,
    binds: 'value',
    read: (params) => {
      const value = Number(params.get(name) ?? '');
      return Number.isInteger(value) && value >= min && value <= max ? value : null;
    },
    write: (into, value) => {
      if (value !== null) into.set(name, String(value));
    },
    isSet: (value) => value !== null,
  };
}

/**
 * One of some values: unset ('') when the URL names none, or, given a `fallback` (a tab), that
 * one, which is then never written.
 */
export function oneOf<K extends string>(name: string, allowed: Allowed<K>): Param<K | ''>;
export function oneOf<K extends string>(name: string, allowed: Allowed<K>, fallback: K): Param<K>;
export function oneOf<K extends string>(name: string, allowed: Allowed<K>, fallback?: K): Param<K | ''> {
  const ok = allows(allowed);
  const unset = fallback ?? '';
  return {
    name,
    binds: 'shape',
    read: (params) => {
      const value = params.get(name) ?? '';
      return ok(value) ? value : unset;
    },
    write: (into, value) => {
      if (value !== unset) into.set(name, value);
    },
    isSet: (value) => value !== '',
  };
}

/** Any number of some values (checkboxes), in the URL's order; `unique` drops repeats. */
export function manyOf<K extends string>(
  name: string,
  allowed: Allowed<K>,
  options: { unique?: boolean } = {},
): Param<K[]> {
  const ok = allows(allowed);
  return {
    name,
    binds: 'shape',
    read: (params) => {
      const values = params.getAll(name);
      return (options.unique ? [...new Set(values)] : values).filter(ok);
    },
    write: (into, values) => {
      for (const value of values) into.append(name, value);
    },
    isSet: (values) => values.length > 0,
  };
}
