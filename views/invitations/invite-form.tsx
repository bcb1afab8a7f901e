import type { Language } from '../../src/db/schema';
import { LANGUAGES } from '../../src/i18n/messages';
import { ErrorSummary, type FieldErrors, SelectField, TextAreaField } from '../components/form';

export const INVITE_LABELS = {
  emails: 'Email addresses',
  projectId: 'Project',
  roleId: 'Role',
  language: 'Email language',
  hideInviter: 'Hide my name and email',
  message: 'Personal message',
};

export interface InviteValues {
  emails: string;
  projectId: string;
  roleId: string;
  language: Language;
  hideInviter: boolean;
  message: string;
}

export function InviteForm({
  values,
  projects,
  roles,
  errors = {},
  inDialog = false,
  submitted = false,
}: {
  values: InviteValues;
  projects: Array<{ id: string; name: string }>;
  /** Only the roles the actor may grant. */
  roles: Array<{ id: string; name: string }>;
  errors?: FieldErrors;
  inDialog?: boolean;
  /** Shown again after a refusal: keep what was typed over remembered preferences. */
  submitted?: boolean;
}) {
  const title = 'Invite users';
  return (
    <section class="narrow">
      {inDialog ? <h2 id="dialog-title">{title}</h2> : <h1>{title}</h1>}
      <ErrorSummary errors={errors} labels={INVITE_LABELS} />
      <form
        method="post"
        action="/invitations"
        data-invite-form=""
        data-submitted={submitted ? '' : undefined}
        hx-post={inDialog ? '/invitations' : undefined}
        hx-target={inDialog ? '#dialog-body' : undefined}
      >
        <TextAreaField
          name="emails"
          label={INVITE_LABELS.emails}
          hint="One per line, or separated by commas. Each is checked on its own."
          rows={4}
          required
          value={values.emails}
          error={errors.emails}
        />
        <SelectField
          name="projectId"
          label={INVITE_LABELS.projectId}
          value={values.projectId}
          options={projects.map((p) => ({ value: p.id, label: p.name }))}
          error={errors.projectId}
        />
        <SelectField
          name="roleId"
          label={INVITE_LABELS.roleId}
          value={values.roleId}
          options={[
            { value: '', label: 'Choose a role' },
            ...roles.map((r) => ({ value: r.id, label: r.name })),
          ]}
          error={errors.roleId}
        />
        <SelectField
          name="language"
          label={INVITE_LABELS.language}
          value={values.language}
          options={Object.entries(LANGUAGES).map(([value, label]) => ({ value, label }))}
          error={errors.language}
        />
        <div class="field">
          <label class="choice">
            <input type="checkbox" name="hideInviter" value="on" checked={values.hideInviter} />{' '}
            {INVITE_LABELS.hideInviter}
          </label>
        </div>
        <TextAreaField
          name="message"
          label={`${INVITE_LABELS.message} (optional)`}
          rows={3}
          maxlength={1000}
          value={values.message}
          error={errors.message}
        />
        <div class="actions">
          <button type="submit">Send invitations</button>
          <a href="/invitations" data-dialog-cancel="">
            Cancel
          </a>
        </div>
      </form>
    </section>
  );
}
