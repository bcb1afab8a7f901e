import { describe, expect, it } from 'vitest';
import { asStoredJson, type ChainedFields, canonicalJson, eventHash } from './chain';

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
