import type { TeamMember } from '../../src/access/teams';
import { ConfirmPage } from '../components/confirm';
import type { FieldErrors } from '../components/form';
import { plural } from '../components/format';

/** Removing a member, or their team admin role, asks first like every other removal. */
export function TeamMemberConfirmPage({
  team,
  member,
  kind,
  errors,
  inDialog,
}: {
  team: { id: string; name: string };
  member: TeamMember;
  kind: 'remove' | 'admin';
  errors?: FieldErrors;
  inDialog: boolean;
}) {
  const remove = kind === 'remove';
  return (
    <ConfirmPage
      inDialog={inDialog}
      title={
        remove ? `Remove ${member.name} from team ${team.name}?` : `Remove ${member.name} as team admin?`
      }
      action={`/teams/${team.id}/members/${member.userId}/${kind}`}
      confirmLabel={remove ? 'Remove from the team' : 'Remove team admin'}
      cancelHref={`/teams/${team.id}`}
      errors={errors}
    >
      {remove ? null : <input type="hidden" name="admin" value="false" />}
      <p>
        {remove
          ? "They lose the access the team's role bindings give them, on their next request. Their own bindings stay."
          : 'They stay a member, but can no longer add or remove members of this team.'}
      </p>
    </ConfirmPage>
  );
}

/** Deleting a team: its members lose what its bindings grant. */
export function DeleteTeamPage({
  team,
  errors,
  inDialog,
}: {
  team: { id: string; name: string; members: unknown[] };
  errors?: FieldErrors;
  inDialog: boolean;
}) {
  const count = team.members.length;
  return (
    <ConfirmPage
      inDialog={inDialog}
      title={`Delete team ${team.name}?`}
      action={`/teams/${team.id}/delete`}
      confirmLabel={`Delete team ${team.name}`}
      cancelHref={`/teams/${team.id}`}
      errors={errors}
    >
      <p>
        {count === 0
          ? 'It has no members: nobody loses access.'
          : `Its ${plural(count, 'member')} ${count === 1 ? 'loses' : 'lose'} the access the team's role bindings give them. Their own bindings stay.`}
      </p>
    </ConfirmPage>
  );
}
