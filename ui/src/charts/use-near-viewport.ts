import { useEffect, useState, type RefObject } from "react";

/**
 * How far outside the viewport an element counts as near: one screen above and below, so that a chart is fetched
 * and drawn while the user is still a screen away from it and scrolling feels seamless.
 */
export const NEAR_VIEWPORT_MARGIN = "100% 0px 100% 0px";

/**
 * True once the element has come within a screen of the viewport, and true from then on: a chart that loaded stays
 * loaded (scrolling back and forth must not refetch or rebuild it). Browsers without IntersectionObserver load at once.
 */
export const useNearViewport = (ref: RefObject<Element | null>): boolean => {
  const [near, setNear] = useState(() => typeof IntersectionObserver === "undefined");
  useEffect(() => {
    const element = ref.current;
    if (near || !element) return undefined;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          observer.disconnect();
          setNear(true);
        }
      },
      { rootMargin: NEAR_VIEWPORT_MARGIN },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref, near]);
  return near;
};
