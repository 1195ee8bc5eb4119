import { useQueryFlag, useQueryParam } from "../url-state";
import { parseSmoothing } from "./smoothing";
import { parseXAxisMode, type XAxisMode } from "./x-axis";

/** The chart options every metric chart of a page shares, kept in the URL: `x=step|time|relative`, `smooth`, `log=1`. */
export interface ChartOptions {
  xMode: XAxisMode;
  smoothing: number;
  logY: boolean;
  setXMode(mode: XAxisMode): void;
  setSmoothing(weight: number): void;
  setLogY(on: boolean): void;
}

export const useChartOptions = (): ChartOptions => {
  const [rawX, setRawX] = useQueryParam("x", "step");
  const [rawSmooth, setRawSmooth] = useQueryParam("smooth", "0");
  const [logY, setLogY] = useQueryFlag("log");
  return {
    xMode: parseXAxisMode(rawX),
    smoothing: parseSmoothing(rawSmooth),
    logY,
    setXMode: (mode) => setRawX(mode),
    setSmoothing: (weight) => setRawSmooth(String(Math.round(parseSmoothing(String(weight)) * 100) / 100)),
    setLogY: (on) => setLogY(on),
  };
};
