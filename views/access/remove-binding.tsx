import type { BindingRow } from '../../src/access/bindings';
import { ConfirmPage } from '../components/confirm';
import type { FieldErrors } from '../components/form';
import { accessLabel, subjectLabel } from './access';

/** The confirmation before a binding goes: a page of its own, and the dialog's content. */
export function RemoveBindingPage({
  binding: b,
  errors,
  inDialog,
}: {
  binding: BindingRow;
  errors?: FieldErrors;
  inDialog: boolean;
}) {
  const where = b.projectId ? `in ${b.projectName}` : 'in every project';
  return (
    <ConfirmPage
      inDialog={inDialog}
      title={`Remove ${accessLabel(b)} from ${subjectLabel(b)}?`}
      action={`/access/bindings/${b.id}/delete`}
      confirmLabel="Remove role binding"
      cancelHref="/access"
      errors={errors}
    >
      <p>
        {b.subject.kind === 'user' ? 'They lose' : "The team's members lose"} what it grants {where}, on their
        next request. Access they hold through other bindings stays.
      </p>
    </ConfirmPage>
  );
}
