import { vi } from "vitest";

/**
 * happy-dom has no 2D canvas; uPlot draws through one. This stands in for the drawing surface only (every drawing
 * call does nothing, text measures 0 wide), so that tests can exercise the chart's DOM, legend and lifecycle.
 */
export const installFakeCanvas = (): void => {
  const noop = (): void => undefined;
  const context = new Proxy<Record<string | symbol, unknown>>(
    {},
    {
      get: (target, key) => {
        if (key in target) return target[key];
        if (key === "measureText") return () => ({ width: 0 });
        if (key === "getLineDash") return () => [];
        if (key === "canvas") return undefined;
        return noop;
      },
      set: (target, key, value) => {
        target[key] = value;
        return true;
      },
    },
  );
  vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockImplementation(() => context as unknown as RenderingContext);
  if (typeof globalThis.Path2D === "undefined") {
    vi.stubGlobal(
      "Path2D",
      class {
        moveTo = noop;
        lineTo = noop;
        rect = noop;
        arc = noop;
        closePath = noop;
        bezierCurveTo = noop;
        addPath = noop;
      },
    );
  }
};
