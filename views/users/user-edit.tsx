import { LANGUAGES } from '../../src/i18n/messages';
import {
  KEEP_ACCESS,
  type UserEditState,
  type UserEditSubject,
  type UserEditWas,
} from '../../src/users/edit';
import { EmptyState } from '../components/empty-state';
import { ErrorSummary, Field, type FieldErrors, SelectField } from '../components/form';

export const EDIT_LABELS = {
  name: 'Name',
  language: 'Language',
  roleId: 'Role',
  teamIds: 'Teams',
  until: 'Last day of access',
};

/** The user's edit dialog; without JavaScript, its own page. */
export function UserEditPage({
  user,
  values,
  roles,
  teams,
  projectName,
  was,
  errors = {},
  inDialog = false,
}: {
  /** Who, and the teams the directory manages: their boxes are shown, never changed here. */
  user: UserEditSubject;
  values: UserEditState;
  roles: Array<{ id: string; name: string }>;
  teams: Array<{ id: string; name: string }>;
  projectName: string;
  /** The access fields as the dialog opened with them: sent back, so only what changed is saved. */
  was: UserEditWas;
  errors?: FieldErrors;
  inDialog?: boolean;
}) {
  const base = `/users/${user.id}`;
  const title = `Edit ${user.name}`;
  const chosen = new Set(values.teamIds);
  const directory = new Set(user.directoryTeamIds);
  // Their memberships of directory teams as the dialog opened: sent back as they are, so saving keeps them.
  const kept = new Set(was.teamIds.filter((id) => directory.has(id)));
  return (
    <section class="narrow">
      {inDialog ? <h2 id="dialog-title">{title}</h2> : <h1>{title}</h1>}
      <ErrorSummary errors={errors} labels={EDIT_LABELS} />
      <p>Email: {user.email}. The email address cannot be changed.</p>
      <form method="post" action={`${base}/edit`} novalidate>
        <input type="hidden" name="opened" value="1" />
        <input type="hidden" name="untilWas" value={was.until} />
        <input type="hidden" name="roleIdWas" value={was.roleId} />
        {was.teamIds.map((id) => (
          <input type="hidden" name="teamIdsWas" value={id} />
        ))}
        <Field name="name" label={EDIT_LABELS.name} value={values.name} required error={errors.name} />
        <SelectField
          name="language"
          label={EDIT_LABELS.language}
          value={values.language}
          error={errors.language}
          options={Object.entries(LANGUAGES).map(([value, label]) => ({ value, label }))}
        />
        <SelectField
          name="roleId"
          label={`Role in ${projectName}`}
          value={values.roleId}
          error={errors.roleId}
          options={[
            ...(was.roleId === KEEP_ACCESS
              ? [{ value: KEEP_ACCESS, label: 'Keep their current access (several bindings)' }]
              : []),
            { value: '', label: 'No role of their own' },
            ...roles.map((r) => ({ value: r.id, label: r.name })),
          ]}
        />
        <fieldset
          id="teamIds"
          class={errors.teamIds ? 'field-error' : undefined}
          aria-describedby={errors.teamIds ? 'teamIds-error' : 'teamIds-hint'}
        >
          <legend>{EDIT_LABELS.teamIds}</legend>
          <p class="hint" id="teamIds-hint">
            Members get the roles bound to their teams.
            {teams.some((t) => directory.has(t.id))
              ? ' Teams managed by the directory are shown as they are: their members change in your company directory.'
              : null}
          </p>
          {errors.teamIds ? (
            <p class="error-message" id="teamIds-error">
              {errors.teamIds}
            </p>
          ) : null}
          {teams.length === 0 ? (
            <EmptyState>There are no teams yet: teams are created on the Teams page.</EmptyState>
          ) : null}
          {teams.map((t) =>
            directory.has(t.id) ? (
              <>
                {kept.has(t.id) ? <input type="hidden" name="teamIds" value={t.id} /> : null}
                <label class="choice">
                  <input type="checkbox" value={t.id} checked={kept.has(t.id)} disabled /> {t.name} (managed
                  by the directory)
                </label>
              </>
            ) : (
              <label class="choice">
                <input type="checkbox" name="teamIds" value={t.id} checked={chosen.has(t.id)} /> {t.name}
              </label>
            ),
          )}
        </fieldset>
        <Field
          name="until"
          label={EDIT_LABELS.until}
          type="date"
          value={values.until}
          error={errors.until}
          hint="After this day they cannot sign in. Leave empty for no end."
        />
        <div class="actions">
          <button type="submit">Save changes</button>
          <a href={base} data-dialog-cancel="">
            Cancel
          </a>
        </div>
      </form>
    </section>
  );
}
