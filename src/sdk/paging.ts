/** One page of a paged MLflow listing; the token is absent or empty on the last page. */
export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

/** Walks every page of a listing, yielding items in server order; each page is fetched only when needed. */
export async function* iteratePages<T>(fetchPage: (pageToken: string | undefined) => Promise<Page<T>>): AsyncGenerator<T> {
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    yield* page.items;
    token = page.nextPageToken === "" ? undefined : page.nextPageToken;
  } while (token !== undefined);
}

/** Every item of a listing, or the first `limit`: no page after the one that reaches it is fetched. */
export const collect = async <T>(items: AsyncIterable<T>, limit = Infinity): Promise<T[]> => {
  const all: T[] = [];
  if (limit <= 0) return all;
  for await (const item of items) {
    all.push(item);
    if (all.length >= limit) break;
  }
  return all;
};
