import { describe, expect, it } from 'vitest';
import type { HomeAttention, Stat } from '../../src/home/home';
import type { ListTotal } from '../../src/lists/paging';
import { HomePage } from '../../views/home/home';

/** The home page's words for counts: as the lists say them, in the singular only for exactly one. */

const stat = (key: Stat['key'], total: ListTotal, detail?: ListTotal): Stat => ({
  key,
  count: { href: `/x?${key}`, total },
  ...(detail ? { detail: { href: `/x?${key}-detail`, total: detail } } : {}),
});

function render(stats: Stat[], permissions: string[] = ['users.view'], requireTwoFactor = true): string {
  const attention: HomeAttention = { stats, requireTwoFactor, activity: null, security: null };
  const html = (
    <HomePage
      viewer={{ name: 'Ada', email: 'ada@example.com', permissions: new Set(permissions) }}
      accountName="Acme"
      projectName="Default"
      attention={attention}
      access={null}
    />
  ).toString();
  return html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

describe('home page counts', () => {
  it('agree in number: 0 and 3 in the plural, 1 in the singular', () => {
    expect(render([stat('locked', { value: 0, exact: true })])).toContain('0 locked accounts');
    expect(render([stat('locked', { value: 1, exact: true })])).toContain('1 locked account ');
    expect(render([stat('locked', { value: 3, exact: true })])).toContain('3 locked accounts');
    expect(render([stat('twoFactor', { value: 1, exact: true })])).toContain(
      '1 active person without two-factor authentication',
    );
    expect(render([stat('twoFactor', { value: 2, exact: true })])).toContain(
      '2 active people without two-factor authentication',
    );
  });

  it('show an estimate past the list cap as the list does ("about N"), never in the singular', () => {
    const text = render([stat('active', { value: 12_345, exact: false })]);
    expect(text).toContain('about 12,345 active users');
    expect(render([stat('inactive', { value: 1_000_000, exact: true })])).toContain(
      '1,000,000 users not signed in for 90 days',
    );
  });

  it('say what to do next when a count is empty, and how many invitations expire this week', () => {
    const none = render(
      [stat('invitations', { value: 0, exact: true }, { value: 0, exact: true })],
      ['invitations.manage'],
    );
    expect(none).toContain('0 pending invitations No pending invitations. Invite someone');
    const some = render(
      [stat('invitations', { value: 4, exact: true }, { value: 1, exact: true })],
      ['invitations.manage'],
    );
    expect(some).toContain('4 pending invitations 1 invitation expires within 7 days');
    const later = render(
      [stat('invitations', { value: 4, exact: true }, { value: 0, exact: true })],
      ['invitations.manage'],
    );
    expect(later).toContain('None expire within 7 days.');
  });

  it('when 2FA is not required, say so, with Settings for those who may change it', () => {
    const active = stat('active', { value: 5, exact: true });
    expect(render([active], ['users.view'], false)).toContain(
      'Two-factor authentication is not required in this account',
    );
    expect(render([active], ['users.view'], false)).toContain('An Account Admin can require it in Settings.');
    expect(render([active], ['users.view', 'account.settings'], false)).toContain('Require it in Settings');
    expect(render([active], ['users.view'], true)).not.toContain('not required');
  });
});
