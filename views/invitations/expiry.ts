import type { InvitationState } from '../../src/invitations/state';
import { plural } from '../components/format';

const DAY = 86_400_000;

/** "expires in 5 days", "expired 2 days ago", "declined": what an admin needs at a glance. */
export function expiryText(i: { state: InvitationState; expiresAt: Date }, now: Date): string {
  if (i.state === 'accepted') return 'accepted';
  if (i.state === 'declined') return 'declined';
  if (i.state === 'revoked') return 'revoked';
  const ms = i.expiresAt.getTime() - now.getTime();
  const days = Math.round(Math.abs(ms) / DAY);
  const hours = Math.round(Math.abs(ms) / 3_600_000);
  const span = days >= 1 ? plural(days, 'day') : plural(hours, 'hour');
  return ms > 0 ? `expires in ${span}` : `expired ${span} ago`;
}
