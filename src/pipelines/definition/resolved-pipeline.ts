/**
 * A pipeline after parsing: `vars`, `${}` interpolation, `foreach`/`do` and `matrix` expanded, every path made
 * workspace-relative (the stage's `wdir` applied, POSIX separators, checked to stay inside the workspace). This is
 * what `cairn repro`, `cairn dag` and tracking work on; nothing downstream reads the raw YAML.
 */
export interface ResolvedOut {
  /** Workspace-relative POSIX path. */
  path: string;
  kind: "out" | "metric" | "plot";
  /** false: not stored in the cache (tracked by hash only, as DVC's `cache: false`); true unless set, as in DVC. */
  cache: boolean;
  /** true: not removed before the stage runs. */
  persist: boolean;
  /** false: not sent by `cairn push`. */
  push: boolean;
}

export interface ResolvedParam {
  /** Workspace-relative params file, `params.yaml` (in the stage's wdir) unless named. */
  file: string;
  /** Key path, e.g. "train.lr" (a whole top-level section when the key names a mapping). */
  key: string;
}

export interface ResolvedStage {
  /** As DVC names expanded stages: "train", "build@cpu" (foreach), "fit@lr-0.1-epochs-10" style for matrix. */
  name: string;
  /** One command, or several run in order (each must succeed). Already interpolated. */
  cmd: string | string[];
  /** Workspace-relative POSIX directory the command runs in ("" is the workspace root). */
  wdir: string;
  /** Workspace-relative POSIX paths. */
  deps: string[];
  params: ResolvedParam[];
  outs: ResolvedOut[];
  frozen: boolean;
  alwaysChanged: boolean;
  desc?: string;
}

export interface ResolvedPipeline {
  /** Absolute workspace root (the folder holding `.cairn/`). */
  root: string;
  /** Workspace-relative pipeline file (`dvc.yaml` or `cairn.yaml`). */
  file: string;
  /** In the pipeline file's order. */
  stages: ResolvedStage[];
  /** Top-level `metrics:` files (DVC 3: metrics no stage writes), workspace-relative; shown by `cairn metrics`. */
  metrics?: string[];
  /** Top-level `params:` files (DVC 3), workspace-relative; every key is listed by `cairn params diff --all`. */
  paramsFiles?: string[];
}
