import { useCallback, useMemo } from "react";
import { useLocation, useSearch } from "wouter";

/**
 * Every view keeps its state in the URL's query string, so that a link reproduces what its sender saw. These hooks
 * read one parameter and write it back with history.replaceState (typing in a filter box must not flood the
 * history); pass { push: true } where a change is a step the Back button should undo.
 */

export interface SetOptions {
  push?: boolean;
}

const useSearchParams = (): URLSearchParams => {
  const search = useSearch();
  return useMemo(() => new URLSearchParams(search), [search]);
};

/** Writes several parameters at once; undefined or "" removes one. */
export type ParamChanges = Record<string, string | readonly string[] | undefined>;

export const useSetSearchParams = (): ((changes: ParamChanges, options?: SetOptions) => void) => {
  const [location, navigate] = useLocation();
  const search = useSearch();
  return useCallback(
    (changes, options) => {
      const params = new URLSearchParams(search);
      for (const [key, value] of Object.entries(changes)) {
        if (typeof value === "string" && value !== "") {
          params.set(key, value);
        } else {
          params.delete(key);
          if (typeof value === "object") for (const item of value) params.append(key, item);
        }
      }
      const query = params.toString();
      navigate(query ? `${location}?${query}` : location, { replace: !options?.push });
    },
    [location, navigate, search],
  );
};

/** One string parameter with a default (the default is not written to the URL). */
export const useQueryParam = (key: string, fallback = ""): [string, (value: string, options?: SetOptions) => void] => {
  const params = useSearchParams();
  const set = useSetSearchParams();
  const value = params.get(key) ?? fallback;
  const setValue = useCallback(
    (next: string, options?: SetOptions) => set({ [key]: next === fallback ? undefined : next }, options),
    [key, fallback, set],
  );
  return [value, setValue];
};

/** A list parameter, one repetition per item (`?run=a&run=b`): any character may appear in an item. */
export const useQueryList = (key: string): [string[], (value: readonly string[], options?: SetOptions) => void] => {
  const params = useSearchParams();
  const set = useSetSearchParams();
  const joined = params.getAll(key).join("\u0000");
  const list = useMemo(() => (joined ? joined.split("\u0000") : []), [joined]);
  const setList = useCallback((next: readonly string[], options?: SetOptions) => set({ [key]: next }, options), [key, set]);
  return [list, setList];
};

/** A boolean flag parameter: present as "1" when on. */
export const useQueryFlag = (key: string): [boolean, (value: boolean, options?: SetOptions) => void] => {
  const [raw, setRaw] = useQueryParam(key);
  const setFlag = useCallback((next: boolean, options?: SetOptions) => setRaw(next ? "1" : "", options), [setRaw]);
  return [raw === "1", setFlag];
};
