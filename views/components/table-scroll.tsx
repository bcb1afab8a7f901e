import type { Child } from 'hono/jsx';

/**
 * Holds a table that may be wider than the screen: it scrolls sideways here, not the page (reflow
 * at 320 px). Named by the table's caption, a section is a region; focusable, so the keyboard can
 * scroll it.
 */
export function TableScroll({ captionId, children }: { captionId: string; children: Child }) {
  return (
    <section class="table-scroll" aria-labelledby={captionId} tabindex={0}>
      {children}
    </section>
  );
}
