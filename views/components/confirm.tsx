import type { Child } from 'hono/jsx';
import { ErrorSummary, type FieldErrors } from './form';

/** A confirmation as its own page: what works without JavaScript is the dialog's content. */
export function ConfirmPage({
  title,
  children,
  action,
  confirmLabel,
  cancelHref,
  errors = {},
  danger = true,
  inDialog = false,
}: {
  title: string;
  children: Child;
  action: string;
  confirmLabel: string;
  cancelHref: string;
  errors?: FieldErrors;
  danger?: boolean;
  /** Shown in the page's dialog: a second-level heading, and Cancel closes the dialog. */
  inDialog?: boolean;
}) {
  return (
    <section class="narrow">
      {inDialog ? <h2 id="dialog-title">{title}</h2> : <h1>{title}</h1>}
      <ErrorSummary errors={errors} labels={{}} />
      <form method="post" action={action}>
        {children}
        <div class="actions">
          <button type="submit" class={danger ? 'button-danger' : undefined}>
            {confirmLabel}
          </button>
          <a href={cancelHref} data-dialog-cancel="">
            Cancel
          </a>
        </div>
      </form>
    </section>
  );
}
