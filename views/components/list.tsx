import type { Child } from 'hono/jsx';
import type { Column, ListPage, SortDir } from '../../src/lists/definition';
import { PAGE_SIZES, type PagingLink } from '../../src/lists/paging';
import { SelectField } from './form';
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

/** The part that changes: the table, its count and the pagination. One component for page and fragment. */
export function ListResults<Q extends ListQueryLike<K>, K extends string>({
  list,
  q,
  target,
  page,
  canExport,
  tableClass,
  head,
  children,
}: ListProps<Q, K> & {
  page: ListPage<unknown>;
  canExport: boolean;
  tableClass?: string;
  /** The header cells. */
  head: Child;
  /** The rows. */
  children: Child;
}) {
  const sort = list.sortable ? list.write(q).get('sort') : null;
  return (
    <div id={target}>
      {/* Part of the filter form (by its id), so that htmx updates keep the sort and the exports current. */}
      {sort ? <input type="hidden" name="sort" form="filters" value={sort} /> : null}
      {canExport ? <ExportLinks base={`${list.path}/export`} filter={list.exportFilter(q)} /> : null}
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
    </div>
  );
}

/**
 * The filters: a GET form that works without JavaScript, and with it updates the results in
 * place as the filters change (the search as one types). The fields are the list's own.
 */
export function FilterForm<Q extends ListQueryLike<K>, K extends string>({
  list,
  q,
  target,
  clear = list.path,
  children,
}: ListProps<Q, K> & { clear?: string; children: Child }) {
  return (
    <form
      method="get"
      action={list.path}
      id="filters"
      class="filters"
      aria-label={`Search and filter ${list.noun}`}
      hx-get={list.path}
      hx-target={`#${target}`}
      hx-swap="outerHTML"
      hx-push-url="true"
      hx-trigger="submit, change, input delay:400ms from:#q"
    >
      {children}
      <SelectField
        name="per"
        label="Rows per page"
        value={String(q.per)}
        options={PAGE_SIZES.map((n) => ({ value: String(n), label: String(n) }))}
      />
      <div class="actions">
        <button type="submit">Apply filters</button>
        <a href={clear}>Clear filters</a>
      </div>
    </form>
  );
}

/** The search box: `q`, which the form's trigger watches. */
export function SearchField({ label, value }: { label: string; value: string }) {
  return (
    <div class="field">
      <label for="q">{label}</label>
      <input id="q" name="q" type="search" value={value} autocomplete="off" />
    </div>
  );
}

/** A group of checkboxes, one URL value each. */
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
    <fieldset>
      <legend>{legend}</legend>
      {options.map(([value, label]) => (
        <label class="choice">
          <input type="checkbox" name={name} value={value} checked={chosen.includes(value)} /> {label}
        </label>
      ))}
    </fieldset>
  );
}

/** The live region an update's announcement goes to (ListStatus, swapped out of band). */
export const ListStatusRegion = () => (
  <div id="list-status" class="visually-hidden" role="status" aria-live="polite" />
);
