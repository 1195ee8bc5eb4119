import { resolve } from "node:path";
import { LOCK_FILE } from "../lock/lock-file.js";
import { PipelineError } from "../errors.js";
import { OutputIndex } from "./graph.js";
import { lookupParam, readParamsFile, type ParamsData } from "./params-file.js";
import type { ResolvedParam, ResolvedPipeline, ResolvedStage } from "./resolved-pipeline.js";
import { ALL_KEYS } from "./stage-body.js";
import { pathContains, type SymlinkGuard } from "./workspace-paths.js";

/**
 * The checks that need the whole pipeline (or the disk): one writer per output and no output inside another, no
 * output over the pipeline's own files, no path escaping through a symlink, and every params key present in its
 * file. A whole-file params entry is expanded here to the file's top-level keys (what the lock file records).
 */
const RESERVED = [".cairn", ".git", ".dvc"];

const checkOutputs = (pipeline: ResolvedPipeline): void => {
  const file = pipeline.file;
  const lockPath = LOCK_FILE;
  const seen = new Map<string, string>();
  for (const stage of pipeline.stages) {
    for (const out of stage.outs) {
      const where = { file, stage: stage.name };
      if (out.path === "") throw new PipelineError("an output cannot be the workspace root", where);
      if (out.path === file || out.path === lockPath || pathContains(out.path, file)) throw new PipelineError(`output '${out.path}' would overwrite the pipeline file or its lock file`, where);
      const reserved = RESERVED.find((name) => pathContains(name, out.path) || pathContains(out.path, name));
      if (reserved !== undefined) throw new PipelineError(`output '${out.path}' is inside or holds '${reserved}', which Cairn and git manage`, where);
      const other = seen.get(out.path);
      if (other !== undefined) {
        throw new PipelineError(
          other === stage.name ? `output '${out.path}' is listed twice` : `output '${out.path}' is also written by stage '${other}' (two stages cannot write one output)`,
          where,
        );
      }
      seen.set(out.path, stage.name);
    }
  }
  const index = new OutputIndex(pipeline);
  for (const stage of pipeline.stages) {
    for (const out of stage.outs) {
      const nested = index.overlapping(out.path).find((owner) => owner.out.path !== out.path);
      if (nested === undefined) continue;
      const mine = { path: out.path, stage: stage.name };
      const theirs = { path: nested.out.path, stage: nested.stage.name };
      const [outer, inner] = pathContains(theirs.path, mine.path) ? [theirs, mine] : [mine, theirs];
      throw new PipelineError(
        `output '${inner.path}' (stage '${inner.stage}') is inside output '${outer.path}' (stage '${outer.stage}'): outputs cannot overlap`,
        { file, stage: stage.name },
      );
    }
  }
};

const checkSymlinks = (pipeline: ResolvedPipeline, guard: SymlinkGuard): void => {
  for (const stage of pipeline.stages) {
    const where = { file: pipeline.file, stage: stage.name };
    if (stage.wdir !== "") guard.check(stage.wdir, { ...where, field: "wdir" });
    stage.deps.forEach((dep, index) => {
      if (RESERVED.slice(0, 1).some((name) => pathContains(name, dep))) throw new PipelineError(`deps[${index}]: '${dep}' is inside .cairn`, where);
      guard.check(dep, { ...where, field: `deps[${index}]` });
    });
    for (const out of stage.outs) guard.check(out.path, { ...where, field: out.kind === "out" ? "outs" : out.kind === "metric" ? "metrics" : "plots" });
    for (const param of stage.params) guard.check(param.file, { ...where, field: "params" });
  }
};

/** Params keys checked against their files (each read once); whole-file entries expanded. */
const checkParams = async (pipeline: ResolvedPipeline, files: Map<string, ParamsData | undefined>): Promise<ResolvedStage[]> => {
  const outputs = new OutputIndex(pipeline);
  const read = async (file: string): Promise<ParamsData | undefined> => {
    if (!files.has(file)) files.set(file, await readParamsFile(resolve(pipeline.root, file), file));
    return files.get(file);
  };
  const stages: ResolvedStage[] = [];
  for (const stage of pipeline.stages) {
    const where = { file: pipeline.file, stage: stage.name };
    const params: ResolvedParam[] = [];
    for (const param of stage.params) {
      const data = await read(param.file);
      if (data === undefined) {
        const producer = outputs.overlapping(param.file)[0];
        if (producer === undefined) throw new PipelineError(`params file '${param.file}' does not exist`, where);
        // Written by an upstream stage: its keys are checked when the stage that needs them runs.
        if (param.key === ALL_KEYS) throw new PipelineError(`params file '${param.file}' is written by stage '${producer.stage.name}': list the keys this stage uses`, where);
        params.push(param);
        continue;
      }
      if (param.key === ALL_KEYS) {
        for (const key of Object.keys(data)) params.push({ file: param.file, key });
        continue;
      }
      if (!lookupParam(data, param.key).found) throw new PipelineError(`param '${param.key}' does not exist in '${param.file}'`, where);
      params.push(param);
    }
    stages.push(params === stage.params ? stage : { ...stage, params });
  }
  return stages;
};

export const validatePipeline = async (pipeline: ResolvedPipeline, guard: SymlinkGuard, files: Map<string, ParamsData | undefined>): Promise<ResolvedPipeline> => {
  checkOutputs(pipeline);
  checkSymlinks(pipeline, guard);
  return { ...pipeline, stages: await checkParams(pipeline, files) };
};
