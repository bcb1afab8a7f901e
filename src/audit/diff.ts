/** One line of an event's before/after: a field and its two values as text ('' when absent). */
export interface DiffRow {
  field: string;
  before: string;
  after: string;
  changed: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const show = (v: unknown): string =>
  v === undefined ? '' : v === null ? 'none' : typeof v === 'string' ? v : JSON.stringify(v);

/**
 * Before and after side by side, field by field (top-level keys, in the order first seen),
 * changed fields first flagged; values that are not objects compare as one field, "value".
 */
export function auditDiff(before: unknown, after: unknown): DiffRow[] {
  if (before == null && after == null) return [];
  if (!(isRecord(before) || before == null) || !(isRecord(after) || after == null)) {
    const [b, a] = [show(before ?? undefined), show(after ?? undefined)];
    return [{ field: 'value', before: b, after: a, changed: b !== a }];
  }
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return fields.map((field) => {
    const [was, is] = [show(b[field]), show(a[field])];
    return { field, before: was, after: is, changed: was !== is };
  });
}
