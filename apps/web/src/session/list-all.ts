import type { Api } from '../api/client';
import type { Page } from '../api/types';

// A session holds at most SESSION_MAX_FILES files; 100 a page keeps that to a few requests.
const PAGE_SIZE = 100;
const MAX_PAGES = 100;

/** Every item of a paginated list route, following nextCursor. */
export async function listAll<T>(api: Api, path: string, signal?: AbortSignal): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const result: Page<T> = await api.get<Page<T>>(`${path}?limit=${PAGE_SIZE}${query}`, {
      signal,
    });
    items.push(...result.items);
    cursor = result.nextCursor;
    if (cursor === null) break;
  }
  return items;
}
