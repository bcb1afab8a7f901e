import type { Child } from 'hono/jsx';
import type { Column, ListPage, SortDir } from '../../src/lists/definition';
import { PAGE_SIZES, type PagingLink } from '../../src/lists/paging';
import { ExportLinks, ListCaption, Pagination, rangeText } from './pagination';
import { TableScroll } from './table-scroll';

/**
 * The parts every list page shares, drawn from its definition (src/lists/definition.ts): the
 * results (table, caption, export links, paging), the sort headers and the filter form. A list's
 * own view adds its cells and its filters' fields.
 */

interface ListQueryLike<K extends string> {
  sort: K;
  dir: SortDir;
  per: number;
}

/** What the views use of a list's definition. */
export interface ListLinks<Q extends ListQueryLike<K>, K extends string> {
  path: string;
  noun: string;
  sortable: boolean;
  columns: readonly Column<K>[];
  write(q: Q, paging?: PagingLink): URLSearchParams;
  exportFilter(q: Q): URLSearchParams;
  order(q: Q, sort?: K, dir?: SortDir): string;
}

interface ListProps<Q extends ListQueryLike<K>, K extends string> {
  list: ListLinks<Q, K>;
  q: Q;
  /** The id of the results' element: what htmx updates replace. */
  target: string;
}

/**
 * The link's name is the column's; the state is the header's aria-sort and what activating it
 * does is its description, so that a screen reader reads "Email, sorted ascending" first.
 */
function SortHeader<Q extends ListQueryLike<K>, K extends string>({
  list,
  q,
  target,
  column,
  sort,
  dataColumn,
}: ListProps<Q, K> & { column: Column<K>; sort: K; dataColumn: string | undefined }) {
  const active = q.sort === sort;
  const nextDir = active && q.dir === 'asc' ? 'desc' : 'asc';
  const href = `${list.path}?${list.write({ ...q, sort, dir: nextDir })}`;
  const hint = `sort-${sort}-hint`;
  return (
    <th
      scope="col"
      aria-sort={active ? (q.dir === 'asc' ? 'ascending' : 'descending') : undefined}
      data-column={dataColumn}
    >
      <a
        id={`sort-${sort}`}
        href={href}
        hx-get={href}
        hx-target={`#${target}`}
        hx-swap="outerHTML"
        hx-push-url="true"
        aria-describedby={hint}
      >
        {column.label}
        {active ? <span aria-hidden="true">{q.dir === 'asc' ? ' ▲' : ' ▼'}</span> : null}
      </a>
      <span id={hint} hidden>
        Activate to sort {list.order(q, sort, nextDir)}
      </span>
    </th>
  );
}

/**
 * The headers of the definition's columns, sort links where a column sorts. With `chooser`,
 * each but the first (the row's name) carries `data-column`, for the column chooser.
 */
export function ColumnHeaders<Q extends ListQueryLike<K>, K extends string>({
  chooser = false,
  ...props
}: ListProps<Q, K> & { chooser?: boolean }) {
  return (
    <>
      {props.list.columns.map((column, i) => {
        const dataColumn = chooser && i > 0 ? column.key : undefined;
        return column.sort && props.list.sortable ? (
          <SortHeader {...props} column={column} sort={column.sort} dataColumn={dataColumn} />
        ) : (
          <th scope="col" data-column={dataColumn}>
            {column.label}
          </th>
        );
      })}
    </>
  );
}

/** The part that changes: chips, the table, its count and the pagination. One component for page and fragment. */
export function ListResults<Q extends ListQueryLike<K>, K extends string>({
  list,
  q,
  target,
  page,
  canExport,
  fragment = false,
  chips,
  empty,
  before,
  tableClass,
  head,
  children,
}: ListProps<Q, K> & {
  page: ListPage<unknown>;
  canExport: boolean;
  /** Rendered for an htmx update: the toolbar's export links come along out of band. */
  fragment?: boolean;
  /** The chosen filters as chips, and where "Clear all" goes. */
  chips?: { labels: ChipLabels; clear: string };
  /** What an empty list says, and what to do next (when no filter is set). */
  empty?: Child;
  /** Above the table: the selection bar of lists with bulk actions. */
  before?: Child;
  tableClass?: string;
  /** The header cells. */
  head: Child;
  /** The rows. */
  children: Child;
}) {
  const sort = list.sortable ? list.write(q).get('sort') : null;
  const filtered = chips ? [...list.write(q)].some(([name]) => name === 'q' || chips.labels[name]) : false;
  return (
    <div id={target}>
      {/* Part of the filter form (by its id), so that htmx updates keep the sort and the exports current. */}
      {sort ? <input type="hidden" name="sort" form="filters" value={sort} /> : null}
      {fragment && canExport ? (
        <ExportLinks base={`${list.path}/export`} filter={list.exportFilter(q)} oob />
      ) : null}
      {chips ? <ActiveFilters list={list} q={q} labels={chips.labels} clear={chips.clear} /> : null}
      {before}
      {page.rows.length === 0 && page.pos === 1 ? (
        // No table of headers alone: the list says why it is empty and what to do next.
        <div class="empty-state" id={`${target}-caption`} tabindex={-1}>
          {filtered || !empty ? (
            <p>
              {rangeText(page, list.noun)} these filters.{' '}
              <a href={chips?.clear ?? list.path}>Clear all filters</a>
            </p>
          ) : (
            empty
          )}
        </div>
      ) : (
        <>
          <TableScroll captionId={`${target}-caption`}>
            <table class={tableClass}>
              <ListCaption list={target} text={rangeText(page, list.noun)} />
              <thead>
                <tr>{head}</tr>
              </thead>
              <tbody>{children}</tbody>
            </table>
          </TableScroll>
          <Pagination
            page={page}
            per={q.per}
            noun={list.noun}
            target={target}
            href={(paging) => `${list.path}?${list.write(q, paging)}`}
          />
        </>
      )}
    </div>
  );
}

/** What a filter's chips say: the filter's title, and each value's words (or the value itself). */
export interface ChipSpec {
  title: string;
  options?: ReadonlyArray<readonly [string, string]>;
  format?: (value: string) => string;
}
/** By URL parameter: the filters that show as chips (sort, paging, tab and search do not). */
export type ChipLabels = Readonly<Record<string, ChipSpec>>;

/**
 * The toolbar: a GET form that works without JavaScript (the menus are <details>, the Apply
 * button submits), and with it updates the results in place as a control changes (the search as
 * one types). The search comes first; the list's filter menus are its children; then the page
 * size, and the columns and export menus. The chosen values show as chips above the results.
 */
export function FilterForm<Q extends ListQueryLike<K>, K extends string>({
  list,
  q,
  target,
  search,
  columns,
  exportable = false,
  children,
}: ListProps<Q, K> & {
  search: { label: string; value: string };
  /** Columns that can be hidden (the first, the row's name, always shows). */
  columns?: readonly Column<K>[];
  exportable?: boolean;
  children: Child;
}) {
  return (
    <form
      method="get"
      action={list.path}
      id="filters"
      class="toolbar"
      aria-label={`Search and filter ${list.noun}`}
      hx-get={list.path}
      hx-target={`#${target}`}
      hx-swap="outerHTML"
      hx-push-url="true"
      hx-trigger="submit, change, input delay:400ms from:#q"
      // htmx drops a request while one is in flight by default: a quick second choice would be
      // lost and the results would not match the form. The latest choice wins instead.
      hx-sync="this:replace"
    >
      <SearchField label={search.label} value={search.value} />
      {children}
      <div class="field toolbar-per">
        <label for="per" class="visually-hidden">
          Rows per page
        </label>
        <select id="per" name="per">
          {PAGE_SIZES.map((n) => (
            <option value={String(n)} selected={n === q.per}>
              {n} rows
            </option>
          ))}
        </select>
      </div>
      <button type="submit" class="button-secondary no-js-only">
        Apply filters
      </button>
      {columns ? <ColumnsMenu columns={columns} /> : null}
      {exportable ? <ExportMenu base={`${list.path}/export`} filter={list.exportFilter(q)} /> : null}
    </form>
  );
}

/**
 * A filter button that opens a disclosure menu of choices (a native <details>: it opens by
 * keyboard and without JavaScript; public/js/app.js closes it on Escape or a click outside).
 * The button says how many values are chosen.
 */
export function FilterMenu({ label, chosen, children }: { label: string; chosen: number; children: Child }) {
  return (
    <details class="menu filter-menu" data-menu="">
      <summary class="button button-secondary">
        {label}
        {/* Only when something is chosen (public/js/app.js adds and updates it as choices change). */}
        {chosen > 0 ? <MenuCount n={chosen} /> : null}
      </summary>
      <div class="menu-panel">{children}</div>
    </details>
  );
}

/** "2 chosen" on a filter button: a badge, with words for screen readers. */
const MenuCount = ({ n }: { n: number }) => (
  <span class="menu-count" data-menu-count="">
    <span class="visually-hidden">, </span>
    <span data-menu-count-value="">{n}</span>
    <span class="visually-hidden"> chosen</span>
  </span>
);

/** The search box: `q`, which the form's trigger watches; `/` focuses it (public/js/app.js). */
export function SearchField({ label, value }: { label: string; value: string }) {
  return (
    <div class="field toolbar-search">
      <label for="q" class="visually-hidden">
        {label}
      </label>
      <input
        id="q"
        name="q"
        type="search"
        value={value}
        autocomplete="off"
        placeholder={`${label}…`}
        aria-keyshortcuts="/"
      />
    </div>
  );
}

/** A filter of several values: a menu of checkboxes, one URL value each. */
export function Checkboxes<K extends string>({
  legend,
  name,
  options,
  chosen,
}: {
  legend: string;
  name: string;
  options: ReadonlyArray<readonly [K, string]>;
  chosen: readonly K[];
}) {
  return (
    <FilterMenu label={legend} chosen={chosen.length}>
      <fieldset>
        <legend class="visually-hidden">{legend}</legend>
        {options.length === 0 ? <p class="empty-state">Nothing to choose from yet.</p> : null}
        {options.map(([value, label]) => (
          <label class="choice">
            <input type="checkbox" name={name} value={value} checked={chosen.includes(value)} /> {label}
          </label>
        ))}
      </fieldset>
    </FilterMenu>
  );
}

/** A filter of one value: a menu of radio buttons, the first meaning "any". */
export function Choices<K extends string>(props: ChoiceProps<K>) {
  return (
    <FilterMenu label={props.legend} chosen={props.chosen === '' ? 0 : 1}>
      <ChoiceList {...props} />
    </FilterMenu>
  );
}

interface ChoiceProps<K extends string> {
  legend: string;
  name: string;
  options: ReadonlyArray<readonly [K, string]>;
  chosen: K | '';
  anyLabel?: string;
  /** In a menu of its own the button names the group; in "More", the legend shows. */
  showLegend?: boolean;
}

/** The radio buttons of a one-value filter, in a menu of their own (Choices) or among others (More). */
export function ChoiceList<K extends string>({
  legend,
  name,
  options,
  chosen,
  anyLabel = 'Any',
  showLegend = false,
}: ChoiceProps<K>) {
  return (
    <fieldset>
      <legend class={showLegend ? undefined : 'visually-hidden'}>{legend}</legend>
      {[['', anyLabel] as const, ...options].map(([value, label]) => (
        <label class="choice">
          <input type="radio" name={name} value={value} checked={chosen === value} /> {label}
        </label>
      ))}
    </fieldset>
  );
}

/** A filter of one value among many (teams): a menu holding a select. */
export function SelectMenu({
  legend,
  name,
  options,
  chosen,
  anyLabel = 'Any',
}: {
  legend: string;
  name: string;
  options: ReadonlyArray<readonly [string, string]>;
  chosen: string;
  anyLabel?: string;
}) {
  return (
    <FilterMenu label={legend} chosen={chosen === '' ? 0 : 1}>
      <div class="field">
        <label for={`filter-${name}`}>{legend}</label>
        <select id={`filter-${name}`} name={name}>
          {[['', anyLabel] as const, ...options].map(([value, label]) => (
            <option value={value} selected={chosen === value}>
              {label}
            </option>
          ))}
        </select>
      </div>
    </FilterMenu>
  );
}

/**
 * Which columns show: a menu of checkboxes remembered in this browser (public/js/app.js), so it
 * exists only with JavaScript (hidden until the script shows it).
 */
function ColumnsMenu<K extends string>({ columns }: { columns: readonly Column<K>[] }) {
  return (
    <details class="menu column-chooser" data-menu="" hidden>
      <summary class="button button-secondary">Columns</summary>
      <div class="menu-panel">
        <fieldset>
          <legend class="visually-hidden">Columns shown</legend>
          {columns.map((c) => (
            <label class="choice">
              <input type="checkbox" data-column-toggle={c.key} checked /> {c.label}
            </label>
          ))}
        </fieldset>
      </div>
    </details>
  );
}

/**
 * The export menu: every row the filters match, in each format. An htmx update brings its links
 * up to date with the results (ListResults, out of band).
 */
function ExportMenu({ base, filter }: { base: string; filter: URLSearchParams }) {
  return (
    <details class="menu export-menu" data-menu="">
      <summary class="button button-secondary">Export</summary>
      <div class="menu-panel">
        <ExportLinks base={base} filter={filter} />
      </div>
    </details>
  );
}

/**
 * The chosen filters as chips, each a link to the list without it ("Remove Role: Admin"), and
 * "Clear all". Without JavaScript they are links; with it, public/js/app.js clears the control
 * in the toolbar and lets the form update the results, so that the two never disagree.
 */
export function ActiveFilters<Q extends ListQueryLike<K>, K extends string>({
  list,
  q,
  labels,
  clear,
}: {
  list: ListLinks<Q, K>;
  q: Q;
  labels: ChipLabels;
  clear: string;
}) {
  const params = list.write(q);
  const chips = [...params]
    .filter(([name]) => labels[name])
    .map(([name, value], i) => {
      const spec = labels[name] as ChipSpec;
      const words = spec.format?.(value) ?? spec.options?.find(([v]) => v === value)?.[1] ?? value;
      const rest = new URLSearchParams([...params].filter(([n, v]) => !(n === name && v === value)));
      return { id: `chip-${i}`, name, value, label: `${spec.title}: ${words}`, href: `${list.path}?${rest}` };
    });
  if (chips.length === 0 && !params.get('q')) return null;
  return (
    <div class="active-filters">
      {chips.length > 0 ? (
        <ul class="chips" aria-label="Filters">
          {chips.map((chip) => (
            <li>
              <a
                class="chip"
                id={chip.id}
                href={chip.href}
                data-chip-name={chip.name}
                data-chip-value={chip.value}
                aria-label={`Remove ${chip.label}`}
              >
                {chip.label}
                <span class="chip-x" aria-hidden="true">
                  ×
                </span>
              </a>
            </li>
          ))}
        </ul>
      ) : null}
      <a href={clear} id="clear-filters" data-clear-filters="">
        Clear all
      </a>
    </div>
  );
}

/** The live region an update's announcement goes to (ListStatus, swapped out of band). */
export const ListStatusRegion = () => (
  <div id="list-status" class="visually-hidden" role="status" aria-live="polite" />
);
