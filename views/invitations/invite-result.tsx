import type { InviteOutcome } from '../../src/invitations/invite';
import { plural } from '../components/format';

/** What happened to each address, with the "send manually" links when the account allows them. */
export function InviteResultPage({
  outcomes,
  inDialog = false,
}: {
  outcomes: InviteOutcome[];
  inDialog?: boolean;
}) {
  const sent = outcomes.filter((o) => o.outcome === 'sent').length;
  const title = `${plural(sent, 'invitation')} sent`;
  const links = outcomes.filter((o) => o.manualLink);
  // In the dialog, app.js moves focus to the heading and reads the outcomes out through the
  // dialog's own live region (one that arrives already filled is often not announced).
  return (
    <section class="narrow" data-announce={outcomes.map((o) => o.note).join(' ')}>
      {inDialog ? (
        <h2 id="dialog-title" tabindex={-1}>
          {title}
        </h2>
      ) : (
        <h1>{title}</h1>
      )}
      <ul class="outcomes">
        {outcomes.map((o) => (
          <li class={`outcome-${o.outcome}`}>
            {o.note}
            {o.outcome === 'pending' && o.invitationId ? (
              <>
                {' '}
                <a href={`/invitations/${o.invitationId}/resend`}>
                  Resend<span class="visually-hidden"> to {o.email}</span>
                </a>
              </>
            ) : null}
          </li>
        ))}
      </ul>
      {links.length > 0 ? (
        <div class="callout">
          {inDialog ? <h3>Send manually</h3> : <h2>Send manually</h2>}
          <p>
            If an email does not arrive, pass its link on by other means. Each works once, for its invitee
            only.
          </p>
          {links.map((o, n) => (
            <div class="field">
              <label for={`manual-link-${n}`}>Link for {o.email}</label>
              <input id={`manual-link-${n}`} type="text" readonly value={o.manualLink ?? ''} />
            </div>
          ))}
        </div>
      ) : null}
      <p>
        <a href="/invitations">Go to the invitations</a>
      </p>
    </section>
  );
}
