/** The users page's tabs; Invitations only for those who manage them. */
export function UserTabs({
  current,
  canInvite,
}: {
  current: 'users' | 'deactivated' | 'invitations';
  canInvite: boolean;
}) {
  return (
    <nav aria-label="User lists" class="tabs">
      <a href="/users" aria-current={current === 'users' ? 'page' : undefined}>
        Users
      </a>
      <a href="/users?tab=deactivated" aria-current={current === 'deactivated' ? 'page' : undefined}>
        Deactivated
      </a>
      {canInvite ? (
        <a href="/invitations" aria-current={current === 'invitations' ? 'page' : undefined}>
          Invitations
        </a>
      ) : null}
    </nav>
  );
}
