import type { Child } from 'hono/jsx';

/**
 * What an empty list shows instead of a table with headers and no rows: what is missing, then
 * the next step (a link, or where the form is), so an empty page is never a dead end.
 */
export function EmptyState({ id, children }: { id?: string; children: Child }) {
  return (
    <p class="empty-state" id={id}>
      {children}
    </p>
  );
}
