import { randomUUID } from "node:crypto";

/** A run id as MLflow makes it: a uuid4 in 32 lowercase hex characters. */
export const newRunId = (): string => randomUUID().replaceAll("-", "");
