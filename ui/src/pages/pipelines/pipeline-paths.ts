/** The UI's addresses of pipelines: the list, and one pipeline run by its (parent) run id. */
export const PIPELINES_PATH = "/pipelines";
export const pipelinePath = (runId: string): string => `${PIPELINES_PATH}/${encodeURIComponent(runId)}`;
