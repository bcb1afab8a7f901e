import type { MySession } from '../../src/account/my-sessions';
import { EmptyState } from '../components/empty-state';
import { TableScroll } from '../components/table-scroll';
import { Time } from '../components/time';

/** Where the user is signed in, each with a Sign out button. */
export function SessionsSection({ sessions }: { sessions: MySession[] }) {
  return (
    <section aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      {sessions.length === 0 ? (
        <EmptyState id="no-sessions">
          No sessions: each browser you sign in with is listed here, with a way to sign it out.
        </EmptyState>
      ) : (
        <TableScroll captionId="sessions-caption">
          <table>
            <caption id="sessions-caption" class="visually-hidden">
              Where you are signed in
            </caption>
            <thead>
              <tr>
                <th scope="col">Browser</th>
                <th scope="col">IP address</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last seen</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((s) => (
                <tr>
                  <td>
                    {s.browser}
                    {s.current ? <strong> (this device)</strong> : null}
                  </td>
                  <td>{s.ip ?? 'Unknown'}</td>
                  <td>
                    <Time at={s.createdAt} />
                  </td>
                  <td>
                    <Time at={s.lastSeenAt} />
                  </td>
                  <td>
                    <form method="post" action={`/account/sessions/${s.id}/end`}>
                      <button type="submit" class="button-link">
                        Sign out
                        <span class="visually-hidden">
                          {' '}
                          {s.current ? (
                            'this device'
                          ) : (
                            <>
                              {s.browser}, last seen <Time at={s.lastSeenAt} />
                            </>
                          )}
                        </span>
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {sessions.length > 1 ? (
        <form method="post" action="/account/sessions/end-others">
          <button type="submit" class="button-secondary">
            Sign out all other sessions
          </button>
        </form>
      ) : null}
    </section>
  );
}
