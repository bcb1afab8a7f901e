/** The areas that exist; each shows only to those holding its permission. */
export const AREAS: ReadonlyArray<{ href: string; label: string; permission: string | null }> = [
  { href: '/', label: 'Home', permission: null },
  { href: '/users', label: 'Users', permission: 'users.view' },
  { href: '/access', label: 'Access', permission: 'users.view' },
  { href: '/roles', label: 'Roles', permission: 'users.view' },
  { href: '/teams', label: 'Teams', permission: 'teams.manage' },
  { href: '/projects', label: 'Projects', permission: 'projects.manage' },
  { href: '/email', label: 'Email', permission: 'users.manage' },
  { href: '/applications', label: 'Applications', permission: 'applications.manage' },
  { href: '/service-accounts', label: 'Service accounts', permission: 'service_accounts.manage' },
  { href: '/sso', label: 'Single sign-on', permission: 'account.settings' },
  { href: '/audit', label: 'Audit log', permission: 'audit.view' },
  { href: '/settings', label: 'Settings', permission: 'account.settings' },
];

export function MainNav({ permissions, current }: { permissions: ReadonlySet<string>; current: string }) {
  const active =
    AREAS.filter((a) => a.href !== '/' && current.startsWith(a.href)).at(-1)?.href ??
    (current === '/' ? '/' : null);
  return (
    <nav aria-label="Main">
      <ul>
        {AREAS.filter((a) => a.permission === null || permissions.has(a.permission)).map((area) => (
          <li>
            <a href={area.href} aria-current={area.href === active ? 'page' : undefined}>
              {area.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
