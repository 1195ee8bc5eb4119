import { parse } from "yaml";
import { isRecord, summariseMlmodel, type MlmodelSummary } from "./mlmodel";

/**
 * An MLmodel file's text, parsed and summarised. Throws when the text is not YAML or not a mapping, so a preview can
 * say the file cannot be read. Imports the YAML parser: load this module only where `yaml` may be in the bundle.
 */
export const summariseMlmodelText = (text: string): MlmodelSummary => {
  const document: unknown = parse(text);
  if (!isRecord(document)) throw new Error("The MLmodel file is not a YAML mapping.");
  return summariseMlmodel(document);
};
