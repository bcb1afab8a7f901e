import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';
import { type Filter, parse } from 'scim2-parse-filter';
import { z } from 'zod';
import { controlCharacterIn } from '../core/validation';
import { invalidFilter } from './errors';

/*
 * SCIM filters (RFC 7644 §3.4.2.2) as SQL conditions: scim2-parse-filter reads the text into a
 * tree, and each comparison becomes a Kysely expression over a column the resource's table maps
 * the attribute to, its value always a bound parameter (never SQL built from the text). Attribute
 * names are compared without case, a core schema URN before them is allowed; string values are
 * compared without case unless the attribute is caseExact (id, externalId); co/sw/ew escape
 * LIKE's wildcards. An attribute or operator the resource does not support is invalidFilter.
 */

export type Operator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le' | 'pr';
type Value = string | number | boolean | null;

/** How a comparison on one attribute reads in SQL; `name` is the attribute as the client wrote it. */
export type FilterAttribute = (op: Operator, value: Value, name: string) => Expression<SqlBool>;

export interface FilterSchema {
  /** The resource's core schema URN, lower case, with its trailing colon. */
  urn: string;
  /** Keyed by the lower-case path: `username`, `name.givenname`, `emails.value`. */
  attributes: Record<string, FilterAttribute>;
  /** Multi-valued attributes a value filter may name (`emails[type eq "work"]`), by sub-attribute. */
  complex: Record<string, Record<string, FilterAttribute>>;
}

const MAX_FILTER_LENGTH = 2000;
const TRUE = sql<SqlBool>`true`;
const FALSE = sql<SqlBool>`false`;

export function parseFilter(text: string): Filter {
  if (text.length > MAX_FILTER_LENGTH)
    throw invalidFilter(`A filter has at most ${MAX_FILTER_LENGTH} characters.`);
  if (controlCharacterIn(text, true)) throw invalidFilter('A filter may not contain control characters.');
  try {
    return parse(text);
  } catch (error) {
    const reason = error instanceof RangeError ? 'it is nested too deeply' : (error as Error).message;
    throw invalidFilter(`The filter cannot be read: ${reason}.`);
  }
}

/** The filter as one condition on the resource's rows. */
export function filterCondition(filter: Filter, schema: FilterSchema): Expression<SqlBool> {
  return condition(filter, schema.attributes, schema, 0);
}

function condition(
  filter: Filter,
  attributes: Record<string, FilterAttribute>,
  schema: FilterSchema,
  depth: number,
): Expression<SqlBool> {
  if (depth > 50) throw invalidFilter('The filter is nested too deeply.');
  switch (filter.op) {
    case 'and':
    case 'or': {
      const parts = filter.filters.map((f) => condition(f, attributes, schema, depth + 1));
      return sql<SqlBool>`(${sql.join(parts, filter.op === 'and' ? sql` and ` : sql` or `)})`;
    }
    case 'not':
      return sql<SqlBool>`not (${condition(filter.filter, attributes, schema, depth + 1)})`;
    case '[]': {
      const sub = schema.complex[attributeKey(filter.attrPath, schema)];
      if (!sub || attributes !== schema.attributes)
        throw invalidFilter(`Filtering on ${filter.attrPath}[…] is not supported.`);
      return condition(filter.valFilter, sub, schema, depth + 1);
    }
    default: {
      const op = filter.op as Operator;
      const name = filter.attrPath;
      const attribute = attributes[attributeKey(name, schema)];
      if (!attribute) throw invalidFilter(`Filtering on ${name} is not supported.`);
      return attribute(op, op === 'pr' ? null : (filter as { compValue: Value }).compValue, name);
    }
  }
}

function attributeKey(path: string, schema: FilterSchema): string {
  const key = path.toLowerCase();
  return key.startsWith(schema.urn) ? key.slice(schema.urn.length) : key;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function needString(value: Value, op: Operator, name: string): string {
  if (typeof value !== 'string') throw invalidFilter(`${name} ${op} takes a string in double quotes.`);
  return value;
}

/**
 * A text column. `nullable`: pr means non-empty, and a comparison never matches a missing value
 * (ne does). `caseExact`: compared as sent; otherwise both sides lower-cased. `citext`: a column
 * that compares without case itself (emails, team names), so eq uses its unique index: the
 * directories look each person up by userName.
 */
export function textAttribute(
  column: string,
  options: { caseExact?: boolean; nullable?: boolean; citext?: boolean } = {},
): FilterAttribute {
  const ref = sql.ref(column);
  const { caseExact = false, nullable = false, citext = false } = options;
  const side = (value: RawBuilder<unknown> | Expression<unknown>) =>
    caseExact ? sql`${value}` : sql`lower(cast(${value} as text))`;
  return (op, raw, name) => {
    if (op === 'pr') return nullable ? sql<SqlBool>`(${ref} is not null and ${ref} <> '')` : TRUE;
    const value = needString(raw, op, name);
    const left = side(ref);
    const right = (text: string) => side(sql.val(text));
    const compared = ((): RawBuilder<SqlBool> => {
      switch (op) {
        case 'eq':
        case 'ne':
          return citext ? sql<SqlBool>`${ref} = ${value}` : sql<SqlBool>`${left} = ${right(value)}`;
        case 'co':
          return sql<SqlBool>`${left} like ${right(`%${escapeLike(value)}%`)}`;
        case 'sw':
          return sql<SqlBool>`${left} like ${right(`${escapeLike(value)}%`)}`;
        case 'ew':
          return sql<SqlBool>`${left} like ${right(`%${escapeLike(value)}`)}`;
        case 'gt':
          return sql<SqlBool>`${left} > ${right(value)}`;
        case 'ge':
          return sql<SqlBool>`${left} >= ${right(value)}`;
        case 'lt':
          return sql<SqlBool>`${left} < ${right(value)}`;
        case 'le':
          return sql<SqlBool>`${left} <= ${right(value)}`;
      }
    })();
    const present = nullable ? sql<SqlBool>`${ref} is not null and ` : sql``;
    if (op === 'ne') return sql<SqlBool>`not (${present}${compared})`;
    return sql<SqlBool>`(${present}${compared})`;
  };
}

/** A uuid column (id, members.value): eq/ne compare ids (one not a uuid matches nothing). */
export function idAttribute(column: string): FilterAttribute {
  const ref = sql.ref(column);
  const asText = textAttribute(`${column}`);
  return (op, raw, name) => {
    if (op === 'pr') return TRUE;
    if (op !== 'eq' && op !== 'ne') {
      needString(raw, op, name);
      // The other operators compare the id's text.
      return asText(op, raw, name);
    }
    const value = needString(raw, op, name).toLowerCase();
    const same = z.uuid().safeParse(value).success ? sql<SqlBool>`${ref} = ${value}` : FALSE;
    return op === 'eq' ? same : sql<SqlBool>`not (${same})`;
  };
}

/** true/false (Entra's "True"/"False" strings too), by a condition that says true. */
export function booleanAttribute(isTrue: Expression<SqlBool>): FilterAttribute {
  return (op, raw, name) => {
    if (op === 'pr') return TRUE;
    if (op !== 'eq' && op !== 'ne') throw invalidFilter(`${name} is a boolean: use eq, ne or pr.`);
    const value = typeof raw === 'string' && /^(true|false)$/i.test(raw) ? raw.toLowerCase() === 'true' : raw;
    if (typeof value !== 'boolean') throw invalidFilter(`${name} ${op} takes true or false.`);
    const wanted = op === 'eq' ? value : !value;
    return wanted ? sql<SqlBool>`(${isTrue})` : sql<SqlBool>`not (${isTrue})`;
  };
}

/** A timestamp column (meta.created), compared with an ISO 8601 date-time. */
export function dateTimeAttribute(column: string): FilterAttribute {
  const ref = sql.ref(column);
  return (op, raw, name) => {
    if (op === 'pr') return TRUE;
    const when = new Date(needString(raw, op, name));
    if (Number.isNaN(when.getTime()))
      throw invalidFilter(`${name} ${op} takes a date-time like 2024-01-31T12:00:00Z.`);
    const operators = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' } as const;
    if (!(op in operators)) throw invalidFilter(`${name} is a date-time: use eq, ne, gt, ge, lt, le or pr.`);
    return sql<SqlBool>`${ref} ${sql.raw(operators[op as keyof typeof operators])} ${when}`;
  };
}

/** A sub-attribute every value has the same (an email's type "work"), compared here. */
export function constantAttribute(constant: string | boolean): FilterAttribute {
  return (op, raw, name) => {
    if (op === 'pr') return TRUE;
    if (typeof constant === 'boolean') return booleanAttribute(constant ? TRUE : FALSE)(op, raw, name);
    const value = needString(raw, op, name).toLowerCase();
    const mine = constant.toLowerCase();
    const results: Record<Exclude<Operator, 'pr'>, boolean> = {
      eq: mine === value,
      ne: mine !== value,
      co: mine.includes(value),
      sw: mine.startsWith(value),
      ew: mine.endsWith(value),
      gt: mine > value,
      ge: mine >= value,
      lt: mine < value,
      le: mine <= value,
    };
    return results[op] ? TRUE : FALSE;
  };
}

/** A condition that has to hold of some related row (a team's members): eq/ne/pr on its id. */
export function existsAttribute(exists: (id: string | null) => Expression<SqlBool>): FilterAttribute {
  return (op, raw, name) => {
    if (op === 'pr') return exists(null);
    if (op !== 'eq' && op !== 'ne') throw invalidFilter(`${name} supports eq, ne and pr.`);
    const value = needString(raw, op, name).toLowerCase();
    const found = z.uuid().safeParse(value).success ? exists(value) : FALSE;
    return op === 'eq' ? found : sql<SqlBool>`not (${found})`;
  };
}
