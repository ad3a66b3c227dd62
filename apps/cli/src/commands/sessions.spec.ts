import assert from 'node:assert/strict';
import { test } from 'node:test';
import { remaining, renderTable, type SessionSummary } from './sessions.ts';

const now = Date.parse('2026-01-01T12:00:00.000Z');
const session = (over: Partial<SessionSummary>): SessionSummary => ({
  id: 'S1',
  name: 'Sharing session',
  status: 'active',
  createdAt: '2026-01-01T11:00:00.000Z',
  expiresAt: '2026-01-01T12:42:00.000Z',
  stats: { files: 2, bytes: 3 * 1024 * 1024, devices: 1 },
  ...over,
});

test('time left for an active session, the status otherwise', () => {
  assert.equal(remaining(session({}), now), '42 min left');
  assert.equal(
    remaining(session({ expiresAt: '2026-01-01T14:30:00.000Z' }), now),
    '2 h 30 min left',
  );
  assert.equal(remaining(session({ status: 'closed' }), now), 'closed');
  assert.equal(remaining(session({ expiresAt: '2026-01-01T11:59:00.000Z' }), now), 'expired');
});

test('the table: one row per session in the order given, columns aligned', () => {
  const table = renderTable(
    [session({ id: 'newer-id', name: 'Trip' }), session({ id: 'S2', status: 'expired' })],
    now,
  );
  const lines = table.trimEnd().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0] ?? '', /^ID +STATUS +LEFT +FILES +DEVICES +NAME$/);
  assert.match(lines[1] ?? '', /^newer-id +active +42 min +2 \(3\.0 MiB\) +1 +Trip$/);
  assert.match(lines[2] ?? '', /^S2 +expired +- /);
  assert.equal(lines[1]?.indexOf('active'), lines[0]?.indexOf('STATUS'));
});

test('no sessions: says how to start one', () => {
  assert.match(renderTable([], now), /sharexpress send FILE/);
});
