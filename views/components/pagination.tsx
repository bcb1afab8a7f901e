import type { ListPage } from '../../src/lists/definition';
import type { PagingLink } from '../../src/lists/paging';
import { formatNumber, plural } from './format';

/**
 * "Showing 26–50 of about 12,000 users", "Showing 1–1 of 1 user": the caption, the paging links
 * and the live region say the same. `noun` is a list's plural (users, events, emails,
 * invitations), whose singular drops the "s".
 */
export function rangeText(page: ListPage<unknown>, noun: string): string {
  const shown = page.rows.length;
  if (shown === 0) return `No ${noun} match`;
  const end = page.pos + shown - 1;
  const total = plural(page.total.value, noun.replace(/s$/, ''), noun);
  return `Showing ${formatNumber(page.pos)}–${formatNumber(end)} of ${page.total.exact ? '' : 'about '}${total}`;
}

/**
 * Each link keeps its id from page to page (`<list>-next`), so that public/js/app.js can give
 * focus back to the same link in the new fragment, or to the caption when it is now disabled.
 */
function PageLink({
  href,
  label,
  enabled,
  target,
}: {
  href: string;
  label: string;
  enabled: boolean;
  target: string;
}) {
  const id = `${target}-${label.toLowerCase()}`;
  return enabled ? (
    <a
      href={href}
      id={id}
      hx-get={href}
      hx-target={`#${target}`}
      hx-swap="outerHTML"
      hx-push-url="true"
      class="page-link"
    >
      {label}
    </a>
  ) : (
    <button type="button" class="page-link button-link disabled" disabled aria-disabled="true" id={id}>
      {label}
    </button>
  );
}

export interface PaginationProps {
  page: ListPage<unknown>;
  per: number;
  noun: string;
  /** The id of the element the links replace (htmx), which holds this navigation. */
  target: string;
  /** A link to the list at a position: first page with no argument. */
  href: (paging?: PagingLink) => string;
}

/** First / Previous / range / Next / Last for keyset paging; links work without JavaScript. */
export function Pagination({ page, per, noun, target, href }: PaginationProps) {
  const prev = href({ before: page.first ?? undefined, pos: Math.max(1, page.pos - per) });
  const next = href({ after: page.last ?? undefined, pos: page.pos + page.rows.length });
  return (
    <nav aria-label="Pagination" class="pagination">
      <PageLink href={href()} label="First" enabled={page.hasPrevious} target={target} />
      <PageLink href={prev} label="Previous" enabled={page.hasPrevious} target={target} />
      <span class="page-range">{rangeText(page, noun)}</span>
      <PageLink href={next} label="Next" enabled={page.hasNext} target={target} />
      <PageLink href={href({ last: true })} label="Last" enabled={page.hasNext} target={target} />
    </nav>
  );
}

/** A list's caption: focus lands here after an update when the control used is gone. */
export function ListCaption({ list, text }: { list: string; text: string }) {
  return (
    <caption id={`${list}-caption`} tabindex={-1}>
      {text}
    </caption>
  );
}

/**
 * What the live region says after an update, the same way on every list: the order, then the
 * range ("Sorted by email, A to Z. Showing 1–25 of 41 users").
 */
export const listAnnouncement = (order: string, range: string) => `Sorted ${order}. ${range}`;

/** With an HTMX update: the new text for the page's live region, swapped out of band. */
export function ListStatus({ text }: { text: string }) {
  return (
    <div id="list-status" hx-swap-oob="innerHTML">
      {text}
    </div>
  );
}

/**
 * The list's export links: every row the filters match, in each format (`<base>.csv?<filter>`).
 * With `oob`, the same element for an htmx update, replacing the toolbar's by its id.
 */
export function ExportLinks({
  base,
  filter,
  oob = false,
}: {
  base: string;
  filter: URLSearchParams;
  oob?: boolean;
}) {
  return (
    <ul class="menu-links" id="export-links" hx-swap-oob={oob ? 'true' : undefined}>
      <li>
        <a href={`${base}.csv?${filter}`}>Export CSV</a>
      </li>
      <li>
        <a href={`${base}.json?${filter}`}>Export JSON</a>
      </li>
    </ul>
  );
}
