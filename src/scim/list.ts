import { controlCharacterIn } from '../core/validation';
import { invalidFilter, invalidValue } from './errors';
import { DEFAULT_COUNT, LIST_SCHEMA, MAX_RESULTS } from './schemas';

/*
 * What a list asks (RFC 7644 §3.4.2): the filter, the page (startIndex is 1-based, below 1 means
 * 1; count below 0 means 0, above MAX_RESULTS is cut to it), and which attributes to return
 * (§3.4.2.5: id, schemas and meta are always returned).
 */

export interface ListQuery {
  filter: string | null;
  startIndex: number;
  count: number;
  projection: Projection;
}

export interface Projection {
  attributes: string[] | null;
  excluded: string[];
}

type Params = Record<string, unknown>;

/** Query parameters (GET) or a SearchRequest's members (POST /.search), names without case. */
export function readListQuery(params: Params, urn: string): ListQuery {
  const get = (name: string) => {
    const key = Object.keys(params).find((k) => k.toLowerCase() === name.toLowerCase());
    return key === undefined ? undefined : params[key];
  };
  const filter = get('filter');
  if (filter !== undefined && typeof filter !== 'string') throw invalidFilter('filter is a string.');
  return {
    filter: filter === undefined || filter.trim() === '' ? null : filter,
    startIndex: Math.max(1, integer(get('startIndex'), 'startIndex') ?? 1),
    count: Math.min(MAX_RESULTS, Math.max(0, integer(get('count'), 'count') ?? DEFAULT_COUNT)),
    projection: readProjection(get('attributes'), get('excludedAttributes'), urn),
  };
}

function integer(value: unknown, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const number =
    typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
  if (!Number.isInteger(number)) throw invalidValue(`${name} is a whole number.`);
  return number;
}

export function readProjection(attributes: unknown, excluded: unknown, urn: string): Projection {
  return {
    attributes: attributes === undefined ? null : attributeList(attributes, 'attributes', urn),
    excluded: excluded === undefined ? [] : attributeList(excluded, 'excludedAttributes', urn),
  };
}

/** A comma-separated list (or an array, in a SearchRequest), as lower-case paths without the URN. */
function attributeList(value: unknown, name: string, urn: string): string[] {
  const items = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : null;
  if (!items || items.some((item) => typeof item !== 'string'))
    throw invalidValue(`${name} is a comma-separated list of attribute names.`);
  const paths = (items as string[]).map((item) => item.trim().toLowerCase()).filter(Boolean);
  if (paths.some((path) => path.length > 200 || controlCharacterIn(path)))
    throw invalidValue(`${name} names attributes like userName or name.givenName.`);
  return paths.map((path) => (path.startsWith(`${urn}:`) ? path.slice(urn.length + 1) : path));
}

const ALWAYS = new Set(['id', 'schemas', 'meta']);

/** Whether the projection returns this top-level attribute (to skip reading what is left out). */
export function wants(projection: Projection, attribute: string): boolean {
  const name = attribute.toLowerCase();
  if (projection.excluded.includes(name)) return false;
  return projection.attributes === null || projection.attributes.some((p) => p.split('.')[0] === name);
}

/** The resource with only the attributes asked for (or without those excluded). */
export function project<T extends Record<string, unknown>>(
  resource: T,
  projection: Projection,
): Record<string, unknown> {
  let result: Record<string, unknown> = resource;
  if (projection.attributes) {
    result = {};
    for (const [key, value] of Object.entries(resource)) {
      const name = key.toLowerCase();
      if (ALWAYS.has(name)) {
        result[key] = value;
        continue;
      }
      const wanted = projection.attributes.filter((p) => p.split('.')[0] === name);
      if (wanted.length === 0) continue;
      if (wanted.includes(name)) result[key] = value;
      else
        result[key] = pick(
          value,
          wanted.map((p) => p.slice(name.length + 1)),
        );
    }
  }
  if (projection.excluded.length > 0) {
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(result)) {
      const name = key.toLowerCase();
      if (ALWAYS.has(name)) copy[key] = value;
      else if (projection.excluded.includes(name)) continue;
      else {
        const subs = projection.excluded
          .filter((p) => p.startsWith(`${name}.`))
          .map((p) => p.slice(name.length + 1));
        copy[key] = subs.length > 0 ? omit(value, subs) : value;
      }
    }
    result = copy;
  }
  return result;
}

/** Sub-attributes of a complex value (each element of a multi-valued one). */
function pick(value: unknown, subs: string[]): unknown {
  if (Array.isArray(value)) return value.map((item) => pick(item, subs));
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => subs.includes(k.toLowerCase())));
}

function omit(value: unknown, subs: string[]): unknown {
  if (Array.isArray(value)) return value.map((item) => omit(item, subs));
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !subs.includes(k.toLowerCase())));
}

export function listResponse(query: ListQuery, total: number, resources: Array<Record<string, unknown>>) {
  return {
    schemas: [LIST_SCHEMA],
    totalResults: total,
    itemsPerPage: resources.length,
    startIndex: query.startIndex,
    Resources: resources.map((r) => project(r, query.projection)),
  };
}
