import { useCallback, type ReactNode } from "react";
import { useQueryList, useQueryParam, useSetSearchParams, type ParamChanges } from "../url-state";

/**
 * Token paging kept in the URL: `page` lists the page tokens that led to the current page (one repetition per page
 * turned), so that a link reproduces the page and Previous needs no second request to find where it was. `size` is
 * the page size. Changing the filter or the sort must start again at page 1: pass `resetPaging` with those changes.
 */
export const PAGE_SIZES = [25, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = 50;

export const resetPaging: ParamChanges = { page: undefined };

export interface Paging {
  token: string | undefined;
  pageNumber: number;
  pageSize: number;
  next(token: string): void;
  previous(): void;
  setPageSize(size: number): void;
}

export const usePaging = (): Paging => {
  const [tokens, setTokens] = useQueryList("page");
  const [rawSize] = useQueryParam("size");
  const set = useSetSearchParams();
  const size = Number(rawSize);
  const pageSize = (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_PAGE_SIZE;
  const next = useCallback((token: string) => setTokens([...tokens, token], { push: true }), [tokens, setTokens]);
  const previous = useCallback(() => setTokens(tokens.slice(0, -1), { push: true }), [tokens, setTokens]);
  const setPageSize = useCallback(
    (value: number) => set({ size: value === DEFAULT_PAGE_SIZE ? undefined : String(value), ...resetPaging }, { push: true }),
    [set],
  );
  return { token: tokens.at(-1), pageNumber: tokens.length + 1, pageSize, next, previous, setPageSize };
};

/** `what` names the rows in the singular and the plural: "1 delivery", "2 deliveries". */
export const Pager = ({ paging, nextToken, shown, what }: { paging: Paging; nextToken: string | undefined; shown: number; what: readonly [one: string, many: string] }): ReactNode => (
  <div className="pager">
    <button type="button" disabled={paging.pageNumber === 1} onClick={paging.previous}>
      Previous
    </button>
    <span role="status" aria-live="polite">
      Page {paging.pageNumber}: {shown} {shown === 1 ? what[0] : what[1]}
    </span>
    <button type="button" disabled={!nextToken} onClick={() => nextToken && paging.next(nextToken)}>
      Next
    </button>
    <label>
      Per page{" "}
      <select value={paging.pageSize} onChange={(event) => paging.setPageSize(Number(event.target.value))}>
        {PAGE_SIZES.map((size) => (
          <option key={size} value={size}>
            {size}
          </option>
        ))}
      </select>
    </label>
  </div>
);
