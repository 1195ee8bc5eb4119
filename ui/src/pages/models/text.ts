const EXCERPT_CHARS = 120;

/** The start of a description on one line, for a table cell (the full text is the cell's title). */
export const excerpt = (text: string | undefined): string => {
  const flat = (text ?? "").replace(/\s+/g, " ").trim();
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS - 1)}…` : flat;
};

/** Free text split into paragraphs at blank lines; line breaks inside a paragraph are kept by CSS (pre-wrap). */
export const paragraphs = (text: string): string[] =>
  text
    .replace(/\r\n?/g, "\n")
    .split(/\n[ \t]*\n+/)
    .map((paragraph) => paragraph.replace(/^\n+|\s+$/g, ""))
    .filter((paragraph) => paragraph !== "");

/** An actor of the audit trail, marked when the server could not verify it (until Cairn authenticates users). */
export const actorName = (actor: { name: string; verified: boolean } | undefined): string =>
  actor === undefined ? "—" : actor.verified ? actor.name : `${actor.name} (unverified)`;
