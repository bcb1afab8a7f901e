import { describe, expect, it } from 'vitest';
import { isTimeZone, zonedParts, zoneOrUtc } from '../../src/account/time-zones';
import { type AuditAction, actionText, SECURITY_ACTIONS } from '../../src/audit/actions';
import { asStoredJson, type ChainedFields, canonicalJson, eventHash } from '../../src/audit/chain';
import { auditDiff } from '../../src/audit/diff';

const key = Buffer.alloc(32, 1);
const event: ChainedFields = {
  occurred_at: new Date('2026-11-23T10:00:00.123Z'),
  actor_id: null,
  actor_label: 'cli',
  action: 'account.settings_update',
  outcome: 'success',
  target_type: 'account',
  target_id: '1',
  target_label: null,
  project_id: null,
  ip: '203.0.113.9',
  request_id: 'req-1',
  before: { b: 1, a: { y: [1, 2], x: 'z' } },
  after: null,
  reason: null,
};

describe('the audit chain hash', () => {
  it('is the same for the same value whatever the key order, and hashes values as stored', () => {
    expect(canonicalJson({ b: 1, a: { y: 2, x: 1 } })).toBe('{"a":{"x":1,"y":2},"b":1}');
    const reordered = { ...event, before: { a: { x: 'z', y: [1, 2] }, b: 1 } };
    expect(eventHash(key, null, reordered)).toBe(eventHash(key, null, event));
    // Dates inside values are stored as strings; the hash is of what is stored.
    expect(asStoredJson({ at: new Date(0), gone: undefined })).toEqual({ at: '1970-01-01T00:00:00.000Z' });
  });

  it('changes with any field, the previous hash, or the key', () => {
    const base = eventHash(key, 'p', event);
    expect(eventHash(key, 'q', event)).not.toBe(base);
    expect(eventHash(Buffer.alloc(32, 2), 'p', event)).not.toBe(base);
    for (const change of [
      { actor_label: 'someone' },
      { ip: null },
      { reason: 'x' },
      { occurred_at: new Date(event.occurred_at.getTime() + 1) },
      { before: { b: 2, a: { y: [1, 2], x: 'z' } } },
      { after: {} },
    ]) {
      expect(eventHash(key, 'p', { ...event, ...change }), JSON.stringify(change)).not.toBe(base);
    }
  });
});

describe('the before/after diff', () => {
  it('lists each field once with both values, and says which changed', () => {
    expect(auditDiff({ name: 'Ana', roles: ['a'] }, { name: 'Ana B', roles: ['a'], team: 'x' })).toEqual([
      { field: 'name', before: 'Ana', after: 'Ana B', changed: true },
      { field: 'roles', before: '["a"]', after: '["a"]', changed: false },
      { field: 'team', before: '', after: 'x', changed: true },
    ]);
    expect(auditDiff(null, { enabled: null })).toEqual([
      { field: 'enabled', before: '', after: 'none', changed: true },
    ]);
    expect(auditDiff('one', ['two'])).toEqual([
      { field: 'value', before: 'one', after: '["two"]', changed: true },
    ]);
    expect(auditDiff(null, undefined)).toEqual([]);
  });
});

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
