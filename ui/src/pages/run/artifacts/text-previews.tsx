import { useMemo, type ReactNode } from "react";
import { parse } from "yaml";
import { formatBytes } from "../../../format";
import { PREVIEW_BYTES, type ArtifactText } from "./fetch-artifact-text";

export const TruncationNote = ({ content }: { content: ArtifactText }): ReactNode =>
  content.truncated ? (
    <p className="muted">
      Showing the first {formatBytes(PREVIEW_BYTES)}
      {content.totalBytes !== undefined ? ` of ${formatBytes(content.totalBytes)}` : ""}. Download the file for the rest.
    </p>
  ) : null;

export const TextPreview = ({ content, label }: { content: ArtifactText; label: string }): ReactNode => (
  <>
    <TruncationNote content={content} />
    <pre className="artifact-text" tabIndex={0} aria-label={`${label} contents`}>
      {content.text}
    </pre>
  </>
);

/** JSON pretty-printed; a cut-off or invalid file is shown as it is, with a word why. */
export const JsonPreview = ({ content, label }: { content: ArtifactText; label: string }): ReactNode => {
  const pretty = useMemo(() => {
    try {
      return { text: JSON.stringify(JSON.parse(content.text), null, 2), error: undefined };
    } catch (error) {
      return { text: content.text, error: (error as Error).message };
    }
  }, [content.text]);
  return (
    <>
      {pretty.error && !content.truncated ? <p className="muted">Not valid JSON ({pretty.error}); shown as text.</p> : null}
      <TextPreview content={{ ...content, text: pretty.text }} label={label} />
    </>
  );
};

/** YAML is already readable: shown as written, with a note if the yaml parser rejects it. */
export const YamlPreview = ({ content, label }: { content: ArtifactText; label: string }): ReactNode => {
  const error = useMemo(() => {
    if (content.truncated) return undefined;
    try {
      parse(content.text);
      return undefined;
    } catch (failure) {
      return (failure as Error).message.split("\n")[0];
    }
  }, [content.text, content.truncated]);
  return (
    <>
      {error ? <p className="muted">Not valid YAML ({error}).</p> : null}
      <TextPreview content={content} label={label} />
    </>
  );
};
