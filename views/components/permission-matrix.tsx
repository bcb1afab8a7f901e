import { PERMISSIONS, type PermissionDefinition } from '../../src/access/permissions';
import { TableScroll } from './table-scroll';

const ACTION_LABELS: Record<string, string> = {
  view: 'View',
  edit: 'Edit',
  publish: 'Publish',
  manage: 'Manage',
  export: 'Export',
  settings: 'Settings',
};

function areas(): Array<{ label: string; byAction: Map<string, PermissionDefinition> }> {
  const groups = new Map<string, Map<string, PermissionDefinition>>();
  for (const p of PERMISSIONS) {
    const group = groups.get(p.areaLabel) ?? new Map();
    group.set(p.action, p);
    groups.set(p.areaLabel, group);
  }
  return [...groups].map(([label, byAction]) => ({ label, byAction }));
}

const ACTION_ORDER = ['view', 'edit', 'publish', 'manage', 'export', 'settings'];

/** Columns: the familiar actions first, then any others the catalog adds. */
function actions(): string[] {
  const all = [...new Set(PERMISSIONS.map((p) => p.action))];
  const rank = (a: string) => (ACTION_ORDER.includes(a) ? ACTION_ORDER.indexOf(a) : ACTION_ORDER.length);
  return all.sort((a, b) => rank(a) - rank(b));
}

/**
 * Permissions as a table of checkboxes: a row per area, a column per action, headers on both,
 * and each checkbox named after its permission. `name` is the form field, repeated per key.
 */
export function PermissionMatrix({
  name,
  selected,
  disabled = false,
  caption,
  errorId,
}: {
  name: string;
  selected: ReadonlySet<string>;
  disabled?: boolean;
  caption: string;
  /** The id of the message saying what is wrong with the choice: each checkbox points to it. */
  errorId?: string | undefined;
}) {
  const columns = actions();
  return (
    <TableScroll captionId={`${name}-matrix-caption`}>
      <table class="matrix">
        <caption id={`${name}-matrix-caption`}>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Area</th>
            {columns.map((action) => (
              <th scope="col">{ACTION_LABELS[action] ?? action}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {areas().map((area) => (
            <tr>
              <th scope="row">{area.label}</th>
              {columns.map((action) => {
                const p = area.byAction.get(action);
                if (!p) return <td class="matrix-none" />;
                return (
                  <td>
                    <input
                      type="checkbox"
                      name={name}
                      value={p.key}
                      id={`${name}-${p.key}`}
                      aria-label={p.label}
                      title={p.description}
                      checked={selected.has(p.key)}
                      disabled={disabled}
                      aria-invalid={errorId ? 'true' : undefined}
                      aria-describedby={errorId}
                    />
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

/** What each permission means, for the matrix above. */
export function PermissionGlossary({ id }: { id: string }) {
  return (
    <details id={id} class="glossary">
      <summary>What each permission allows</summary>
      <dl>
        {PERMISSIONS.map((p) => (
          <>
            <dt>{p.label}</dt>
            <dd>{p.description}</dd>
          </>
        ))}
      </dl>
    </details>
  );
}
