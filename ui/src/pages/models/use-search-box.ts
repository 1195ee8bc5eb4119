import { useEffect, useRef, useState } from "react";
import { useQueryParam } from "../../url-state";

const PAUSE_MS = 250;

/**
 * A search box bound to a URL parameter: the box shows what is typed at once, the URL (and so the query) follows
 * once typing pauses, and a URL changed from outside (Back, a link) is shown in the box.
 */
export const useSearchBox = (key: string): { search: string; typed: string; onType: (text: string) => void } => {
  const [search, setSearch] = useQueryParam(key);
  const [typed, setTyped] = useState(search);
  const [shown, setShown] = useState(search);
  if (search !== shown) {
    setShown(search);
    setTyped(search);
  }
  const setSearchRef = useRef(setSearch);
  useEffect(() => {
    setSearchRef.current = setSearch;
  });
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const onType = (text: string): void => {
    setTyped(text);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setSearchRef.current(text), PAUSE_MS);
  };
  return { search, typed, onType };
};
