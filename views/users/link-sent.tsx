/** After an email with a link went out: the "send manually" callout, when the account allows it. */
export function LinkSentPage({
  title,
  message,
  manualLink,
  userId,
  inDialog = false,
}: {
  title: string;
  message: string;
  manualLink: string | null;
  userId: string;
  inDialog?: boolean;
}) {
  // In the dialog, app.js moves focus to the heading and the dialog's own live region reads the message.
  return (
    <section
      class="narrow"
      data-announce={inDialog ? message : undefined}
      data-refresh-list={inDialog ? '' : undefined}
    >
      {inDialog ? (
        <h2 id="dialog-title" tabindex={-1}>
          {title}
        </h2>
      ) : (
        <h1>{title}</h1>
      )}
      <p role={inDialog ? undefined : 'status'}>{message}</p>
      {manualLink ? (
        <div class="callout">
          {inDialog ? <h3>Send manually</h3> : <h2>Send manually</h2>}
          <p>If the email does not arrive, pass this link on by other means. It works once.</p>
          <label for="manual-link">One-time link</label>
          <input id="manual-link" type="text" readonly value={manualLink} />
        </div>
      ) : null}
      <p class="actions">
        <a href={`/users/${userId}`}>{inDialog ? 'Open the user' : 'Back to the user'}</a>
        {inDialog ? (
          <button type="button" class="button-secondary" data-dialog-cancel="">
            Close
          </button>
        ) : null}
      </p>
    </section>
  );
}
