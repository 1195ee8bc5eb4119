import type { ReactNode } from "react";
import "./metric-picker.css";

/** Which metrics get a chart: none chosen means all of them. */
export const MetricPicker = ({ allKeys, chosen, onChange }: { allKeys: readonly string[]; chosen: readonly string[]; onChange(keys: string[]): void }): ReactNode => {
  const toggle = (key: string, on: boolean): void => {
    const current = chosen.length > 0 ? chosen : allKeys;
    const next = on ? [...current, key] : current.filter((one) => one !== key);
    // Every metric chosen is the same view as none chosen: keep the URL short.
    onChange(next.length === allKeys.length ? [] : allKeys.filter((one) => next.includes(one)));
  };
  return (
    <details className="metric-picker">
      <summary>
        Metrics shown: {chosen.length > 0 ? `${chosen.length} of ${allKeys.length}` : `all ${allKeys.length}`}
      </summary>
      <fieldset>
        <legend className="visually-hidden">Metrics to chart</legend>
        {chosen.length > 0 ? (
          <button type="button" onClick={() => onChange([])}>
            Show all
          </button>
        ) : null}
        {allKeys.map((key) => (
          <label key={key}>
            <input
              type="checkbox"
              checked={chosen.length === 0 || chosen.includes(key)}
              // At least one chart stays: an empty choice would mean "all" again.
              disabled={chosen.length === 1 && chosen[0] === key}
              onChange={(event) => toggle(key, event.target.checked)}
            />
            <span className="mono">{key}</span>
          </label>
        ))}
      </fieldset>
    </details>
  );
};
