import type { SentRequest } from '../../helpers/http';
import { formFieldsOf, linksOf, listFields, seenQueryNames, seenValues } from './crawl';
import { pathOf, pools } from './pools';
import { chance, pick, pickSome, random } from './random';
import type { Route } from './routes';
import { BAD_CURSORS, BAD_TEXT, FALLBACK_FIELDS, RAW_ESCAPES, V4 } from './values';

// The generated requests: a path, a query and a body, from what the pages offer and bad values.

/** A value the page itself would send, or one shaped like it. */
function goodValue(name: string): string {
  const seen = seenValues.get(name);
  if (seen && seen.size > 0 && chance(0.85)) return pick([...seen]);
  if (/email/i.test(name)) return `fuzz-${Math.floor(random() * 1e6)}@example.com`;
  if (/password|confirm|current/i.test(name)) return 'fuzzing password 2026 x';
  if (/code/i.test(name)) return String(Math.floor(random() * 1e6)).padStart(6, '0');
  if (/until|day|from|to$/i.test(name)) return '2031-05-17';
  if (/Id$|^id$|ids/i.test(name)) return pick([...pools.role, ...pools.user, ...pools.project]) ?? V4;
  return `Fuzz ${name} ${Math.floor(random() * 1e6)}`;
}

function badValue(): string {
  return chance(0.12) ? pick(BAD_CURSORS) : pick(BAD_TEXT);
}

const enc = encodeURIComponent;

/** A form body: realistic values with some bad ones, odd shapes and raw bytes. */
function bodyFor(route: Route): string {
  const known = [...(formFieldsOf.get(route.key) ?? [])];
  const names = known.length > 0 && chance(0.9) ? known : pickSome(FALLBACK_FIELDS, 6);
  const mode = pick(['one', 'one', 'one', 'all', 'shape', 'raw', 'valid'] as const);
  const badOne = pick(names);
  const parts: string[] = [];
  for (const name of names) {
    const bad = mode === 'all' || (mode !== 'valid' && name === badOne);
    if (mode === 'raw' && name === badOne) {
      parts.push(`${enc(name)}=${pick(['', 'x'])}${pick(RAW_ESCAPES)}${pick(['', 'y'])}`);
      continue;
    }
    if (mode === 'shape' && name === badOne) {
      const shape = pick(['twice', 'array', 'missing', 'empty', 'key'] as const);
      if (shape === 'twice')
        parts.push(`${enc(name)}=${enc(goodValue(name))}`, `${enc(name)}=${enc(badValue())}`);
      else if (shape === 'array') parts.push(`${enc(`${name}[]`)}=${enc(goodValue(name))}`);
      else if (shape === 'empty') parts.push(`${enc(name)}=`, enc(name));
      else if (shape === 'key') parts.push(`${pick(RAW_ESCAPES)}=1`, `${enc(name)}%00=1`, '__proto__=1', '=');
      continue;
    }
    const count = listFields.has(name) ? 1 + Math.floor(random() * 4) : 1;
    for (let i = 0; i < count; i++) parts.push(`${enc(name)}=${enc(bad ? badValue() : goodValue(name))}`);
  }
  if (chance(0.05)) parts.push(`${enc(pick(FALLBACK_FIELDS))}=${enc(badValue())}`);
  return parts.join('&');
}

/** Query parameters: realistic ones from the links, bad ones, and raw escapes. */
function queryFor(route: Route): string {
  const links = [...(linksOf.get(route.key) ?? [])];
  if (links.length > 0 && chance(0.4)) {
    // A link the pages offer, as it is or with one parameter changed; half of them paging links,
    // whose cursors the list wrote (there are few of them among the sort and filter links).
    const paging = links.filter((s) => /[?&](after|before|page)=/.test(s));
    const params = new URLSearchParams(pick(paging.length > 0 && chance(0.5) ? paging : links));
    if (chance(0.5)) return `?${params}`;
    const name = chance(0.3) ? pick(['after', 'before']) : pick([...params.keys()]);
    params.delete(name);
    const value =
      ['after', 'before'].includes(name) && chance(0.7) ? enc(pick(BAD_CURSORS)) : enc(badValue());
    return `?${params}${params.size > 0 ? '&' : ''}${enc(name)}=${chance(0.2) ? pick(RAW_ESCAPES) : value}`;
  }
  if (chance(0.35)) return '';
  const names = [...seenQueryNames];
  const parts: string[] = [];
  for (let i = 0; i < 1 + Math.floor(random() * 4); i++) {
    const name = pick(names);
    const r = random();
    if (r < 0.4) parts.push(`${enc(name)}=${enc(goodValue(name))}`);
    else if (r < 0.55) parts.push(`${enc(name)}=${pick(RAW_ESCAPES)}`);
    else if (r < 0.75 && ['after', 'before'].includes(name)) parts.push(`${name}=${enc(pick(BAD_CURSORS))}`);
    else parts.push(`${enc(name)}=${enc(badValue())}`);
  }
  if (chance(0.15)) parts.push(`${pick(['after', 'before'])}=${enc(pick(BAD_CURSORS))}`);
  return `?${parts.join('&')}`;
}

/** One generated request: a path with real or malformed ids, a query, a body, maybe as htmx. */
export function requestFor(route: Route): { path: string; init: SentRequest } {
  const path = pathOf(route, chance(0.3)) + (route.method === 'GET' || chance(0.2) ? queryFor(route) : '');
  const headers: Record<string, string> = {};
  if (chance(0.2)) {
    headers['HX-Request'] = 'true';
    headers['HX-Target'] = pick(['main#main', 'div#user-list', 'div#audit-list', 'div#invitation-list']);
  }
  if (route.method === 'GET') return { path, init: { method: 'GET', headers } };
  const body = bodyFor(route);
  const r = random();
  if (r < 0.03) {
    // The same fields as multipart/form-data (fetch sets the boundary).
    const form = new FormData();
    for (const [name, value] of new URLSearchParams(body)) form.append(name, value);
    return { path, init: { method: route.method, headers, body: form } };
  }
  headers['content-type'] =
    r < 0.06
      ? pick(['text/plain', 'application/json', 'multipart/form-data; boundary=x'])
      : 'application/x-www-form-urlencoded';
  return { path, init: { method: route.method, headers, body } };
}
