import { vi } from "vitest";

/**
 * happy-dom has no IntersectionObserver. This fake one lets a test say which elements came near the viewport:
 * `report(element, true)` calls the callbacks of the observers watching it, as the browser would on scrolling.
 */
export interface FakeIntersection {
  /** The options every observer was created with, in order. */
  readonly options: IntersectionObserverInit[];
  /** How many observers are watching at least one element now. */
  watching(): number;
  report(element: Element, isIntersecting: boolean): void;
}

export const installFakeIntersectionObserver = (): FakeIntersection => {
  const options: IntersectionObserverInit[] = [];
  const live = new Set<FakeObserver>();

  class FakeObserver {
    readonly targets = new Set<Element>();
    constructor(
      readonly callback: IntersectionObserverCallback,
      init: IntersectionObserverInit = {},
    ) {
      options.push(init);
    }
    observe(element: Element): void {
      this.targets.add(element);
      live.add(this);
    }
    unobserve(element: Element): void {
      this.targets.delete(element);
      if (this.targets.size === 0) live.delete(this);
    }
    disconnect(): void {
      this.targets.clear();
      live.delete(this);
    }
    takeRecords(): IntersectionObserverEntry[] {
      return [];
    }
  }

  vi.stubGlobal("IntersectionObserver", FakeObserver);
  return {
    options,
    watching: () => live.size,
    report: (element, isIntersecting) => {
      for (const observer of [...live]) {
        if (!observer.targets.has(element)) continue;
        const entry = { target: element, isIntersecting, intersectionRatio: isIntersecting ? 1 : 0 } as IntersectionObserverEntry;
        observer.callback([entry], observer as unknown as IntersectionObserver);
      }
    },
  };
};
