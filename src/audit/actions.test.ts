import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, type AuditAction, actionInfo } from './actions';

// The table of actions is the one place an audited action is declared: every line must have a
// writer in the code, and everything the code writes must have a line (the type checks the
// literals; this also catches a line left behind when its writer goes).

const SRC = join(import.meta.dirname, '..');
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
const code = sources(SRC)
  .filter((path) => !path.endsWith(join('audit', 'actions.ts')))
  .map((path) => readFileSync(path, 'utf8'))
  .join('\n');

const ACTION = String.raw`'([a-z_]+\.[a-z_]+)'`;
/** `perform(ctx, 'x.y', …)`, or an action chosen in a variable handed to perform. */
const performed = new Set(
  [
    ...code.matchAll(new RegExp(String.raw`perform(?:<[^>]*>)?\(\s*[\w.]+,\s*${ACTION}`, 'g')),
    ...code.matchAll(new RegExp(`const action = [^;]*?${ACTION}[^;]*?${ACTION}`, 'g')),
  ].flatMap((m) => m.slice(1).filter(Boolean)),
);
/** `writeAudit(…, { action: 'x.y', … })`, for what is recorded where it is observed. */
const recorded = new Set([...code.matchAll(new RegExp(`action: ${ACTION}`, 'g'))].map((m) => m[1]));

describe('the table of actions', () => {
  const actions = Object.keys(AUDIT_ACTIONS) as AuditAction[];

  it('has a writer for every line: performed, or recorded where it is observed', () => {
    const missing = actions.filter((a) => (actionInfo(a).recordOnly ? !recorded.has(a) : !performed.has(a)));
    expect(missing).toEqual([]);
  });

  it('has a line for everything the code performs or records', () => {
    const unknown = [...performed, ...recorded].filter((a) => a && !Object.hasOwn(AUDIT_ACTIONS, a));
    expect(unknown).toEqual([]);
  });

  it('never performs an action that is only recorded', () => {
    expect(actions.filter((a) => actionInfo(a).recordOnly && performed.has(a))).toEqual([]);
  });

  it('names a permission or says that anyone may try, for each performed action', () => {
    for (const action of actions) {
      const info = actionInfo(action);
      expect(info.permission === null || /^[a-z_]+\.[a-z_]+$/.test(info.permission), action).toBe(true);
      if (info.scope) expect(info.permission, action).not.toBeNull();
    }
  });
});
