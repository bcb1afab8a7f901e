import { type Filter, stringify } from 'scim2-parse-filter';
import { controlCharacterIn } from '../core/validation';
import { booleanOf, isObject, member } from './attributes';
import { invalidPath, invalidSyntax, invalidValue, ScimError } from './errors';
import { parseFilter } from './filter';
import { memberIdsOf } from './group-resource';
import { GROUP_SCHEMA, USER_SCHEMA } from './schemas';

/*
 * PATCH as real clients send it, made into what RFC 7644 §3.5.2 and scim-patch expect:
 *
 * - `op` in any case (Entra's default sends "Replace", "Add", "Remove");
 * - attribute names in any case, with or without the core schema's URN; an attribute Gatehouse
 *   does not keep (an extension's, title, phoneNumbers…) is not kept, and its operation dropped;
 *   a read-only one (id, meta, groups) named by a path is a mutability refusal, and dropped from a
 *   value object (Okta's group rename sends the id along);
 * - booleans as strings (Entra's "active": "False"), in a path's value or in a value object;
 * - a value object with dotted keys (`{"name.givenName": "X"}`, Entra's compliant replace) or a
 *   complex value (`{"name": {"givenName": "X"}}`): only the sub-attributes given change;
 * - members as bare ids (`{"value": id}`, without display or $ref), so adding one twice is one,
 *   and a removal by a value list (Entra's default, `"path":"members","value":[{"value":id}]`)
 *   as one removal by filter (`members[value eq "id"]`) each, as Entra's compliant mode and Okta
 *   send it.
 */

export interface Operation {
  op: 'add' | 'remove' | 'replace';
  path?: string;
  value?: unknown;
}

interface Dialect {
  /** The core schema's URN, lower case. */
  urn: string;
  /** Attributes the client may write, by lower-case name. */
  writable: Record<string, string>;
  readOnly: Set<string>;
  /** Sub-attributes of complex ones, by lower-case name. */
  sub: Record<string, Record<string, string>>;
  /** Multi-valued attributes (a path may filter them). */
  multiValued: Set<string>;
  booleans: Set<string>;
}

const canonical = (names: string[]) => Object.fromEntries(names.map((n) => [n.toLowerCase(), n]));

export const USER_DIALECT: Dialect = {
  urn: USER_SCHEMA.toLowerCase(),
  writable: canonical([
    'userName',
    'name',
    'displayName',
    'emails',
    'externalId',
    'active',
    'preferredLanguage',
    'locale',
  ]),
  readOnly: new Set(['id', 'meta', 'schemas', 'groups']),
  sub: {
    name: canonical([
      'formatted',
      'familyName',
      'givenName',
      'middleName',
      'honorificPrefix',
      'honorificSuffix',
    ]),
    emails: canonical(['value', 'type', 'primary', 'display']),
  },
  multiValued: new Set(['emails']),
  booleans: new Set(['active']),
};

export const GROUP_DIALECT: Dialect = {
  urn: GROUP_SCHEMA.toLowerCase(),
  writable: canonical(['displayName', 'externalId', 'members']),
  readOnly: new Set(['id', 'meta', 'schemas']),
  sub: { members: canonical(['value', 'display', 'type', '$ref']) },
  multiValued: new Set(['members']),
  booleans: new Set(),
};

const MAX_OPERATIONS = 1000;

/** The body's operations, in the shape scim-patch applies. */
export function normaliseOperations(body: unknown, dialect: Dialect): Operation[] {
  if (!isObject(body)) throw invalidSyntax('A PATCH body is a PatchOp object.');
  const operations = member(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0)
    throw invalidSyntax('A PATCH body has an "Operations" list with at least one operation.');
  if (operations.length > MAX_OPERATIONS)
    throw invalidValue(`At most ${MAX_OPERATIONS} operations in one PATCH.`);
  return operations.flatMap((operation) => normaliseOperation(operation, dialect));
}

function normaliseOperation(operation: unknown, dialect: Dialect): Operation[] {
  if (!isObject(operation))
    throw invalidSyntax('Each operation is an object with "op", and "path" or "value".');
  const op = member(operation, 'op');
  const kind = typeof op === 'string' ? op.trim().toLowerCase() : '';
  if (kind !== 'add' && kind !== 'remove' && kind !== 'replace')
    throw invalidSyntax(`"op" is add, remove or replace, not ${JSON.stringify(op)}.`);
  const rawPath = member(operation, 'path');
  const hasValue = Object.keys(operation).some((k) => k.toLowerCase() === 'value');
  const value = member(operation, 'value');
  if (rawPath !== undefined && rawPath !== null && typeof rawPath !== 'string')
    throw invalidPath('"path" is a string.');
  if (typeof rawPath !== 'string' || rawPath.trim() === '') {
    if (kind === 'remove') throw new ScimError(400, 'noTarget', 'A remove operation needs a "path".');
    if (!hasValue) throw invalidValue(`An ${kind} operation needs a "value".`);
    const object = valueObject(value, dialect);
    return Object.keys(object).length === 0 ? [] : [{ op: kind, value: object }];
  }
  const path = canonicalPath(rawPath, dialect);
  if (!path) return [];
  if (kind !== 'remove' && !hasValue) throw invalidValue(`An ${kind} operation needs a "value".`);
  // Entra's default removal of members: a list of the members to remove.
  if (kind === 'remove' && path.text === 'members' && hasValue && value !== null)
    return memberIdsOf(value).map((id) => ({
      op: 'remove',
      path: `members[value eq ${JSON.stringify(id)}]`,
    }));
  if (kind === 'remove') return [{ op: 'remove', path: path.text }];
  return [{ op: kind, path: path.text, value: valueAt(path, value, dialect) }];
}

interface Path {
  text: string;
  attribute: string;
  filtered: boolean;
  sub: string | null;
}

const PATH = /^([A-Za-z$][\w$-]*)(?:\[(.*)\])?(?:\.([A-Za-z$][\w$-]*))?$/s;

/** The path with canonical names (null: an attribute Gatehouse does not keep). */
function canonicalPath(raw: string, dialect: Dialect): Path | null {
  let path = raw.trim();
  if (path.length > 1000 || controlCharacterIn(path))
    throw invalidPath('The path is not one this resource has.');
  if (path.toLowerCase().startsWith(`${dialect.urn}:`)) path = path.slice(dialect.urn.length + 1);
  else if (path.toLowerCase().startsWith('urn:')) return null;
  const match = PATH.exec(path);
  if (!match) throw invalidPath(`The path ${JSON.stringify(raw)} is not one this resource has.`);
  const [, name = '', filter, subName] = match;
  const lower = name.toLowerCase();
  if (dialect.readOnly.has(lower)) throw new ScimError(400, 'mutability', `${name} is read-only.`);
  const attribute = dialect.writable[lower];
  if (!attribute) return null;
  const sub = subName === undefined ? null : (dialect.sub[attribute]?.[subName.toLowerCase()] ?? subName);
  if (sub !== null && !dialect.sub[attribute])
    throw invalidPath(`${attribute} has no sub-attributes (${JSON.stringify(raw)}).`);
  let text = attribute;
  if (filter !== undefined) {
    if (!dialect.multiValued.has(attribute))
      throw invalidPath(`${attribute} is not multi-valued: it takes no filter (${JSON.stringify(raw)}).`);
    text += `[${canonicalFilter(filter, attribute, dialect)}]`;
  }
  if (sub) text += `.${sub}`;
  return { text, attribute, filtered: filter !== undefined, sub };
}

/** A value filter with its sub-attributes' canonical names (members' ids lower-cased, as kept). */
function canonicalFilter(text: string, attribute: string, dialect: Dialect): string {
  let filter: Filter;
  try {
    filter = parseFilter(text);
  } catch (error) {
    throw invalidPath((error as Error).message);
  }
  const names = dialect.sub[attribute] ?? {};
  const walk = (f: Filter): Filter => {
    switch (f.op) {
      case 'and':
      case 'or':
        return { ...f, filters: f.filters.map(walk) };
      case 'not':
        return { ...f, filter: walk(f.filter) };
      case '[]':
        throw invalidPath(`A filter in ${attribute}[…] cannot filter again.`);
      default: {
        const name = names[f.attrPath.toLowerCase()] ?? f.attrPath;
        if (
          'compValue' in f &&
          attribute === 'members' &&
          name === 'value' &&
          typeof f.compValue === 'string'
        )
          return { ...f, attrPath: name, compValue: f.compValue.trim().toLowerCase() };
        return { ...f, attrPath: name };
      }
    }
  };
  return stringify(walk(filter));
}

/** An operation's value for its path: booleans made booleans, members made bare ids. */
function valueAt(path: Path, value: unknown, dialect: Dialect): unknown {
  if (path.filtered || path.sub) return value;
  return attributeValue(path.attribute, value, dialect);
}

function attributeValue(attribute: string, value: unknown, dialect: Dialect): unknown {
  if (dialect.booleans.has(attribute)) return booleanOf(value) ?? null;
  if (attribute === 'members') return memberIdsOf(value).map((id) => ({ value: id }));
  if (dialect.sub[attribute] && !dialect.multiValued.has(attribute) && isObject(value)) {
    const names = dialect.sub[attribute] ?? {};
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [names[k.toLowerCase()] ?? k, v]));
  }
  return value;
}

/** A value without a path: the attributes to set, with canonical (dotted) names. */
function valueObject(value: unknown, dialect: Dialect): Record<string, unknown> {
  if (!isObject(value)) throw invalidValue('An operation without a "path" has an object as its "value".');
  const result: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    let name = key.trim();
    if (name.toLowerCase().startsWith(`${dialect.urn}:`)) name = name.slice(dialect.urn.length + 1);
    else if (name.toLowerCase().startsWith('urn:')) continue;
    const [top = '', subName, ...rest] = name.split('.');
    if (rest.length > 0) continue;
    const lower = top.toLowerCase();
    // Read-only attributes in a value object are not changed (Okta sends the id along).
    if (dialect.readOnly.has(lower)) continue;
    const attribute = dialect.writable[lower];
    if (!attribute) continue;
    if (subName !== undefined) {
      const names = dialect.sub[attribute];
      if (!names || dialect.multiValued.has(attribute)) continue;
      result[`${attribute}.${names[subName.toLowerCase()] ?? subName}`] = inner;
    } else if (dialect.sub[attribute] && !dialect.multiValued.has(attribute) && isObject(inner)) {
      // A complex value changes only the sub-attributes it has (RFC 7644 §3.5.2.3).
      for (const [sub, subValue] of Object.entries(attributeValue(attribute, inner, dialect) as object))
        result[`${attribute}.${sub}`] = subValue;
    } else result[attribute] = attributeValue(attribute, inner, dialect);
  }
  return result;
}
