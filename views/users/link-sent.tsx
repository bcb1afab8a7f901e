/** After an email with a link went out: the "send manually" callout, when the account allows it. */
export function LinkSentPage({
  title,
  message,
  manualLink,
  userId,
}: {
  title: string;
  message: string;
  manualLink: string | null;
  userId: string;
}) {
  return (
    <section class="narrow">
      <h1>{title}</h1>
      <p role="status">{message}</p>
      {manualLink ? (
        <div class="callout">
          <h2>Send manually</h2>
          <p>If the email does not arrive, pass this link on by other means. It works once.</p>
          <label for="manual-link">One-time link</label>
          <input id="manual-link" type="text" readonly value={manualLink} />
        </div>
      ) : null}
      <p>
        <a href={`/users/${userId}`}>Back to the user</a>
      </p>
    </section>
  );
}
