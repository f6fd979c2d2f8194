// Walking a cursor-paginated list the way a client does: limit, then cursor = nextCursor.
import { expect } from 'vitest';
import type { Client } from './test-app.ts';

/** Every item of the list, page by page; each page holds at most `limit` items and none repeats. */
export async function walkPages<T extends { id?: string; seq?: string }>(client: Client, url: string, limit: number, cursorName = 'cursor'): Promise<T[]> {
  const items: T[] = [];
  const join = url.includes('?') ? '&' : '?';
  let next = `${url}${join}limit=${limit}`;
  for (let pages = 0; next; pages++) {
    expect(pages, `${url}: more pages than items`).toBeLessThan(500);
    const res = await client.get(next);
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json() as { items: T[]; nextCursor: string | null };
    expect(page.items.length).toBeLessThanOrEqual(limit);
    if (page.nextCursor !== null) expect(page.items).toHaveLength(limit);
    items.push(...page.items);
    next = page.nextCursor === null ? '' : `${url}${join}limit=${limit}&${cursorName}=${encodeURIComponent(page.nextCursor)}`;
  }
  const keys = items.map((item) => item.id ?? item.seq);
  expect(new Set(keys).size, `${url}: an item came twice`).toBe(keys.length);
  return items;
}

export const idsOf = (items: { id: string }[]) => items.map((item) => item.id);
