import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { claimTab } from './tab-claim';

// Two tabs of one origin, each with its own sessionStorage, talking over a real BroadcastChannel
// (Node has one): "Duplicate tab" copies the storage, a reload keeps it.

class MemoryStorage implements Storage {
  readonly map = new Map<string, string>();
  get length(): number {
    return this.map.size;
  }
  clear(): void {
    this.map.clear();
  }
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.map.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
  setItem(key: string, value: string): void {
    this.map.set(key, value);
  }
}
const copyOf = (storage: MemoryStorage): MemoryStorage => {
  const copy = new MemoryStorage();
  for (const [k, v] of storage.map) copy.setItem(k, v);
  return copy;
};
let channels = 0;
const channelName = (): string => `test-tabs-${String(++channels)}`;

describe('claimTab', () => {
  test('a new tab is no copy, and keeps an id', async () => {
    const storage = new MemoryStorage();
    const tab = claimTab(storage, channelName());
    assert.equal(await tab.duplicate, false);
    assert.ok((storage.getItem('sharexpress.tab.v1') ?? '').length > 10);
    tab.close();
  });

  test('a duplicated tab finds the original still open, and takes a new id', async () => {
    const name = channelName();
    const first = new MemoryStorage();
    const original = claimTab(first, name);
    assert.equal(await original.duplicate, false);
    const second = copyOf(first);
    const copy = claimTab(second, name);
    assert.equal(await copy.duplicate, true);
    assert.notEqual(second.getItem('sharexpress.tab.v1'), first.getItem('sharexpress.tab.v1'));
    // A third copy, of the copy, is a copy too (the copy now answers for its new id).
    const third = claimTab(copyOf(second), name);
    assert.equal(await third.duplicate, true);
    for (const tab of [original, copy, third]) tab.close();
  });

  test('a reload (the old page gone) is no copy', async () => {
    const name = channelName();
    const storage = new MemoryStorage();
    const before = claimTab(storage, name);
    await before.duplicate;
    const id = storage.getItem('sharexpress.tab.v1');
    before.close(); // the page unloads
    const after = claimTab(storage, name);
    assert.equal(await after.duplicate, false);
    assert.equal(storage.getItem('sharexpress.tab.v1'), id);
    after.close();
  });
});
