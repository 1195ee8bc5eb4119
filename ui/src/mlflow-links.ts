/**
 * MLflow's UI routes live in the URL's hash (`http://host/#/experiments/1/runs/abc`), and MLflow clients print such
 * links ("View run at …", "View experiment at …"); Cairn's routes are real paths. This maps a hash route of MLflow's
 * to Cairn's page for the same thing, so that a link MLflow printed for a Cairn server opens the right page.
 * Pure: main.tsx applies it with history.replaceState before the app's first render.
 */

/** Each path segment decoded then encoded again: an id or name never leaves its segment, whatever it holds. */
const segment = (raw: string): string | undefined => {
  try {
    const decoded = decodeURIComponent(raw);
    return decoded === "" ? undefined : encodeURIComponent(decoded);
  } catch {
    return undefined;
  }
};

/** `base/<raw>` when raw is a usable segment, else `fallback` (base itself by default). */
const child = (base: string, raw: string | undefined, fallback = base): string => {
  const encoded = raw === undefined ? undefined : segment(raw);
  return encoded === undefined ? fallback : `${base}/${encoded}`;
};

/** `runs=["a","b"]` as MLflow's compare page writes it (a JSON list), or a plain comma list. */
const runIdsOf = (text: string | null): string[] => {
  if (!text) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed)) return parsed.filter((item): item is string => typeof item === "string" && item !== "").slice(0, 100);
  } catch {
    // Not JSON: a comma list.
  }
  return text.split(",").map((item) => item.trim()).filter((item) => item !== "").slice(0, 100);
};

/**
 * Cairn's path (with its query) for an MLflow hash (`#/experiments/1/runs/abc/artifacts/model`), or undefined when the
 * hash is not one of MLflow's routes (an in-page anchor such as `#main` is left alone).
 */
export const cairnPathForMlflowHash = (hash: string): string | undefined => {
  if (!hash.startsWith("#/")) return undefined;
  const [pathPart = "", queryPart = ""] = hash.slice(1).split("?", 2);
  const parts = pathPart.split("/").filter((part) => part !== "");
  const query = new URLSearchParams(queryPart);
  const [head, a, b, c, d] = parts;
  if (head === undefined) return "/experiments";

  if (head === "experiments") {
    if (a === undefined) return "/experiments";
    const experimentId = segment(a);
    if (experimentId === undefined) return "/experiments";
    const experiment = `/experiments/${experimentId}`;
    // MLflow 2.x opened a trace from the experiment page's traces tab: ?compareRunsMode=TRACES&selectedTraceId=tr-…
    const traceId = query.get("selectedTraceId");
    if (b === undefined) {
      if (traceId) return `${experiment}/traces/${encodeURIComponent(traceId)}`;
      if (query.get("compareRunsMode") === "TRACES") return `${experiment}/traces`;
      return experiment;
    }
    if (b === "runs" && c !== undefined) {
      const runId = segment(c);
      if (runId === undefined) return experiment;
      const run = `${experiment}/runs/${runId}`;
      // #/experiments/1/runs/abc/artifacts/<path> (MLflow 2.x) and the 3.x tabs (…/runs/abc/model-metrics, …/artifacts).
      if (d === "artifacts") {
        const path = parts.slice(5).map((part) => decodeSafe(part)).join("/");
        return path ? `${run}?tab=artifacts&artifact=${encodeURIComponent(path)}` : `${run}?tab=artifacts`;
      }
      if (d === "model-metrics" || d === "system-metrics") return `${run}?tab=metrics`;
      return run;
    }
    if (b === "models" || b === "logged-models") return child(`${experiment}/models`, c);
    if (b === "traces") return child(`${experiment}/traces`, c);
    return experiment;
  }

  if (head === "models") {
    if (a === undefined) return "/models";
    const name = segment(a);
    if (name === undefined) return "/models";
    return b === "versions" ? child(`/models/${name}/versions`, c, `/models/${name}`) : `/models/${name}`;
  }

  if (head === "compare-runs") {
    const runs = runIdsOf(query.get("runs"));
    return runs.length > 0 ? `/compare?${runs.map((id) => `run=${encodeURIComponent(id)}`).join("&")}` : "/compare";
  }

  return undefined;
};

const decodeSafe = (raw: string): string => {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
};
