// Cursor pagination: the cursor is the id of the last item of the previous page, and lists
// are ordered by (created_at, id) so that a page never skips or repeats a row.

export interface PageQuery {
  cursor?: string;
  limit: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** `rows` was fetched with take = limit + 1: the extra row only tells that another page exists. */
export function pageOf<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? items.at(-1)!.id : null };
}

/** The findMany arguments of a page: after the cursor's row, one row more than the limit. */
export const pageWindow = (query: PageQuery) => ({
  cursor: query.cursor ? { id: query.cursor } : undefined,
  skip: query.cursor ? 1 : 0,
  take: query.limit + 1,
});
