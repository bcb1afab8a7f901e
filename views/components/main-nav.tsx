/** The areas that exist; each shows only to those holding its permission. */
const AREAS: ReadonlyArray<{ href: string; label: string; permission: string | null }> = [
  { href: '/', label: 'Home', permission: null },
];

export function MainNav({ permissions, current }: { permissions: ReadonlySet<string>; current?: string }) {
  return (
    <nav aria-label="Main">
      <ul>
        {AREAS.filter((a) => a.permission === null || permissions.has(a.permission)).map((area) => (
          <li>
            <a href={area.href} aria-current={area.href === current ? 'page' : undefined}>
              {area.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
