/**
 * The drift benchmark of issue 5: two 1M-row Parquet samples (20 numeric, 5 categorical columns; current shifted on
 * some), Cairn's drift with the default tests (Wasserstein / Jensen-Shannon at this size) and with the p-value tests
 * forced (KS, chi-square), against python3 + scipy computing the same tests on the same data in the same run.
 * Prints both times, the ratio, and the largest relative difference of every statistic and p-value.
 * scipy reads Parquet through pyarrow when it is installed, else CSV files written alongside (its load time is
 * reported apart from its compute time).
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { computeDrift, resolveDriftMethod, type ColumnMethodChoice, type DriftResult } from "../src/monitoring/drift/index.js";
import { openDataset } from "../src/validation/duckdb/index.js";

const ROWS = Number(process.env.BENCH_DRIFT_ROWS ?? 1_000_000);
const NUMERIC = 20;
const CATEGORICAL = 5;
const numeric = Array.from({ length: NUMERIC }, (_v, i) => `n${i}`);
const categorical = Array.from({ length: CATEGORICAL }, (_v, i) => `c${i}`);

const gaussian = "sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())";

/** Writes reference and current Parquet (and CSV for a Python without pyarrow) with DuckDB. */
const writeSamples = async (dir: string, csv: boolean): Promise<void> => {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const table = async (name: string, shifted: boolean, seed: number): Promise<void> => {
    await connection.run(`SELECT setseed(${seed})`);
    const nums = numeric.map((c, i) => {
      // current: a mean shift on n0-n4, a wider spread on n5-n7, the rest unchanged.
      const shift = shifted && i < 5 ? 0.15 * (i + 1) : 0;
      const scale = shifted && i >= 5 && i < 8 ? 1.3 : 1;
      return `round(${10 * (i + 1)} + ${scale} * ${i + 1} * ${gaussian} + ${shift * (i + 1)}, 4) AS ${c}`;
    });
    const cats = categorical.map((c, i) => {
      const values = Array.from({ length: 4 + i }, (_v, k) => `'${String.fromCharCode(97 + k)}${i}'`).join(", ");
      // current: c0 and c1 lean toward their first value.
      const skew = shifted && i < 2 ? "power(random(), 1.6)" : "random()";
      return `[${values}][CAST(floor(${skew} * ${4 + i}) AS INTEGER) + 1] AS ${c}`;
    });
    await connection.run(`CREATE TABLE ${name} AS SELECT ${[...nums, ...cats].join(", ")} FROM range(${ROWS})`);
    await connection.run(`COPY ${name} TO '${path.join(dir, `${name}.parquet`)}' (FORMAT parquet)`);
    if (csv) {
      await connection.run(`COPY (SELECT ${numeric.join(", ")} FROM ${name}) TO '${path.join(dir, `${name}-num.csv`)}' (FORMAT csv, HEADER false)`);
      await connection.run(`COPY (SELECT ${categorical.join(", ")} FROM ${name}) TO '${path.join(dir, `${name}-cat.csv`)}' (FORMAT csv, HEADER false)`);
    }
  };
  await table("reference", false, 0.1);
  await table("current", true, 0.2);
  connection.closeSync();
  instance.closeSync();
};

/** The same tests, as Evidently builds their inputs, in numpy + scipy. */
const PYTHON = String.raw`
import json, sys, time, warnings
import numpy as np
from scipy import stats
from scipy.spatial import distance
warnings.filterwarnings("ignore")
d, fmt, nnum, ncat = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
t0 = time.perf_counter()
if fmt == "parquet":
    import pyarrow.parquet as pq
    def load(name):
        t = pq.read_table(f"{d}/{name}.parquet")
        return ({f"n{i}": t.column(f"n{i}").to_numpy() for i in range(nnum)}, {f"c{i}": t.column(f"c{i}").to_numpy(zero_copy_only=False) for i in range(ncat)})
else:
    def load(name):
        num = np.loadtxt(f"{d}/{name}-num.csv", delimiter=",", ndmin=2)
        cat = np.loadtxt(f"{d}/{name}-cat.csv", delimiter=",", dtype=str, ndmin=2)
        return ({f"n{i}": num[:, i] for i in range(nnum)}, {f"c{i}": cat[:, i] for i in range(ncat)})
ref_num, ref_cat = load("reference")
cur_num, cur_cat = load("current")
t1 = time.perf_counter()
def counts(r, c):
    keys, rinv = np.unique(np.concatenate([r, c]), return_inverse=True)
    rc = np.bincount(rinv[: len(r)], minlength=len(keys)).astype(float)
    cc = np.bincount(rinv[len(r):], minlength=len(keys)).astype(float)
    return rc, cc
out = {"default": {}, "forced": {}}
for name in ref_num:
    r, c = ref_num[name], cur_num[name]
    out["default"][name] = [float(stats.wasserstein_distance(r, c) / max(np.std(r), 0.001)), None]
for name in ref_cat:
    rc, cc = counts(ref_cat[name], cur_cat[name])
    out["default"][name] = [float(distance.jensenshannon(rc / rc.sum(), cc / cc.sum())), None]
t2 = time.perf_counter()
for name in ref_num:
    res = stats.ks_2samp(ref_num[name], cur_num[name])
    out["forced"][name] = [float(res.statistic), float(res.pvalue)]
for name in ref_cat:
    rc, cc = counts(ref_cat[name], cur_cat[name])
    res = stats.chisquare(cc, rc * (cc.sum() / rc.sum()))
    out["forced"][name] = [float(res.statistic), float(res.pvalue)]
t3 = time.perf_counter()
out["seconds"] = {"load": t1 - t0, "default": t2 - t1, "forced": t3 - t2}
print(json.dumps(out))
`;

interface PythonOut {
  default: Record<string, [number, number | null]>;
  forced: Record<string, [number, number | null]>;
  seconds: { load: number; default: number; forced: number };
}

const relative = (a: number, b: number): number => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(b), 1e-300));

const maxDifference = (cairn: DriftResult, scipy: Record<string, [number, number | null]>) => {
  let statistic = 0;
  let pValue = 0;
  for (const [name, [stat, p]] of Object.entries(scipy)) {
    const column = cairn.columns[name];
    if (column === undefined) throw new Error(`column ${name} missing from Cairn's result`);
    statistic = Math.max(statistic, relative(column.statistic, stat));
    if (p !== null && column.p_value !== null) pValue = Math.max(pValue, relative(column.p_value, p));
  }
  return { max_relative_difference_statistic: statistic, max_relative_difference_p_value: pValue };
};

const timedDrift = async (dir: string, columnMethods?: Record<string, ColumnMethodChoice>) => {
  const started = performance.now();
  const reference = await openDataset(path.join(dir, "reference.parquet"));
  const current = await openDataset(path.join(dir, "current.parquet"));
  try {
    const result = await computeDrift(reference, current, { columnMethods, distributions: false });
    return { result, seconds: (performance.now() - started) / 1000 };
  } finally {
    await reference.close();
    await current.close();
  }
};

const round = (value: number, digits = 3): number => Number(value.toFixed(digits));

export const runDriftBenchmarks = async (): Promise<unknown> => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-bench-drift-"));
  try {
    let pyarrow = true;
    try {
      execFileSync("python3", ["-c", "import pyarrow"], { stdio: "ignore" });
    } catch {
      pyarrow = false;
    }
    await writeSamples(dir, !pyarrow);
    const forcedMethods: Record<string, ColumnMethodChoice> = {};
    for (const c of numeric) forcedMethods[c] = { method: resolveDriftMethod("ks") };
    for (const c of categorical) forcedMethods[c] = { method: resolveDriftMethod("chisquare") };

    const cairnDefault = await timedDrift(dir);
    const cairnForced = await timedDrift(dir, forcedMethods);

    const script = path.join(dir, "drift_scipy.py");
    await writeFile(script, PYTHON);
    const started = performance.now();
    const output = execFileSync("python3", [script, dir, pyarrow ? "parquet" : "csv", String(NUMERIC), String(CATEGORICAL)], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    const pythonWall = (performance.now() - started) / 1000;
    const scipy = JSON.parse(output) as PythonOut;
    const scipyDefault = scipy.seconds.default;
    const scipyForced = scipy.seconds.forced;
    return {
      rows_per_sample: ROWS,
      columns: { numeric: NUMERIC, categorical: CATEGORICAL },
      scipy_reads: pyarrow ? "parquet (pyarrow)" : "csv (pyarrow not installed)",
      default_tests: {
        cairn_seconds: round(cairnDefault.seconds),
        scipy_compute_seconds: round(scipyDefault),
        scipy_load_plus_compute_seconds: round(scipy.seconds.load + scipyDefault),
        ratio_vs_scipy_compute: round(scipyDefault / cairnDefault.seconds, 2),
        ratio_vs_scipy_load_plus_compute: round((scipy.seconds.load + scipyDefault) / cairnDefault.seconds, 2),
        drifted_columns: cairnDefault.result.number_of_drifted_columns,
        ...maxDifference(cairnDefault.result, scipy.default),
      },
      forced_p_value_tests: {
        cairn_seconds: round(cairnForced.seconds),
        scipy_compute_seconds: round(scipyForced),
        scipy_load_plus_compute_seconds: round(scipy.seconds.load + scipyForced),
        ratio_vs_scipy_compute: round(scipyForced / cairnForced.seconds, 2),
        ratio_vs_scipy_load_plus_compute: round((scipy.seconds.load + scipyForced) / cairnForced.seconds, 2),
        drifted_columns: cairnForced.result.number_of_drifted_columns,
        ...maxDifference(cairnForced.result, scipy.forced),
      },
      scipy_load_seconds: round(scipy.seconds.load),
      python_wall_seconds: round(pythonWall),
      target: "ratio >= 2 (Cairn's time includes opening and scanning the Parquet files); differences <= 1e-9",
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
