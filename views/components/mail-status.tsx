import { type MailSummary, mailFailed, mailStatusText } from '../../src/mail/status';
import { Time } from './time';

/** What became of the last email: its state in words, when, and a mark where it failed. */
export function MailStatus({ mail }: { mail: MailSummary | null }) {
  if (!mail) return <>No email sent</>;
  return (
    <span class={mailFailed(mail) ? 'mail-status mail-failed' : 'mail-status'}>
      {mailStatusText(mail)} (<Time at={mail.at} />)
    </span>
  );
}
