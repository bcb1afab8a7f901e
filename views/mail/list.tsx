import type { ListView, ListViewProps } from '../../src/lists/routes';
import { type ListedMail, MAIL_STATES, type MailListQuery, mailList } from '../../src/mail/list';
import { Checkboxes, ColumnHeaders, FilterForm, ListResults, ListStatusRegion } from '../components/list';
import { MailStatus } from '../components/mail-status';
import { Time } from '../components/time';

const TARGET = 'email-list';

type Props = ListViewProps<MailListQuery, ListedMail>;

/** Where the message's subject leads: the user or the invitation it was about. */
const aboutHref = (m: ListedMail) =>
  m.invitationId ? `/invitations/${m.invitationId}` : m.userId ? `/users/${m.userId}` : null;

function MailResults({ q, page, fragment }: Props) {
  return (
    <ListResults
      list={mailList}
      q={q}
      target={TARGET}
      page={page}
      canExport
      fragment={fragment}
      chips={{ labels: { state: { title: 'State', options: Object.entries(MAIL_STATES) } }, clear: '/mail' }}
      empty={
        <p>No email has been sent yet. Invitations, password resets and security notices appear here.</p>
      }
      head={<ColumnHeaders list={mailList} q={q} target={TARGET} />}
    >
      {page.rows.map((m) => {
        const href = aboutHref(m);
        return (
          <tr>
            <td>
              <Time at={m.createdAt} />
            </td>
            <th scope="row">{m.recipient}</th>
            <td>{href ? <a href={href}>{m.subject}</a> : m.subject}</td>
            <td>
              <MailStatus mail={m} />
              {m.attempts > 1 ? ` after ${m.attempts} attempts` : ''}
            </td>
          </tr>
        );
      })}
    </ListResults>
  );
}

function MailPage(props: Props) {
  const { q } = props;
  return (
    <section class="list-page">
      <h1>Email</h1>
      <p>
        Every email Gatehouse sends and what became of it, newest first. Delivery, bounces and spam complaints
        come from the mail provider's webhook; a message that failed can be sent again from its user or
        invitation.
      </p>
      <FilterForm
        list={mailList}
        q={q}
        target={TARGET}
        search={{ label: 'Search recipient', value: q.q }}
        exportable
      >
        <Checkboxes
          legend="State"
          name="state"
          options={Object.entries(MAIL_STATES) as Array<[keyof typeof MAIL_STATES, string]>}
          chosen={q.states}
        />
      </FilterForm>
      <ListStatusRegion />
      <MailResults {...props} />
    </section>
  );
}

export const mailView: ListView<MailListQuery, ListedMail> = {
  target: TARGET,
  title: () => 'Email',
  Results: MailResults,
  Page: MailPage,
};
