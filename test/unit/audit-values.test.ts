import { describe, expect, it } from 'vitest';
import { isTimeZone, zonedParts, zoneOrUtc } from '../../src/account/time-zones';
import { type AuditAction, actionText, SECURITY_ACTIONS } from '../../src/audit/actions';

describe('action texts and time zones', () => {
  it('names every action, and falls back to the raw name for an unknown one', () => {
    expect(actionText('auth.sign_in')).toBe('Sign-in');
    expect(actionText('legacy.thing')).toBe('legacy.thing');
    expect(SECURITY_ACTIONS).toContain('user.password_change' satisfies AuditAction);
    expect(SECURITY_ACTIONS).not.toContain('role.create');
  });

  it('shows moments with the offset of the zone, UTC for none or an unknown one', () => {
    const at = new Date('2026-07-01T23:30:00Z');
    expect(zonedParts(at, 'UTC')).toEqual({ day: '2026-07-01', time: '23:30:00', zone: 'UTC' });
    expect(zonedParts(at, 'Europe/Paris')).toEqual({ day: '2026-07-02', time: '01:30:00', zone: 'UTC+2' });
    expect(zonedParts(at, 'America/St_Johns').zone).toBe('UTC-2:30');
    expect(zoneOrUtc('Mars/Base')).toBe('UTC');
    expect(zoneOrUtc(null)).toBe('UTC');
    expect(isTimeZone('Asia/Kolkata')).toBe(true);
  });
});
