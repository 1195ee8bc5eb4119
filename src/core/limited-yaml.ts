import { isAlias, isCollection, isMap, isScalar, type Document, LineCounter, parseDocument, type ParsedNode } from "yaml";
import { invalidParameter } from "./errors.js";

/**
 * Bounds on YAML that a client can send (validation suites, MLmodel files). The `yaml` package is careful (it
 * turns deep recursion into a parse error, caps alias expansion in toJS), but some of its costs grow faster than the
 * text: its duplicate-key check compares every key of a mapping with every other one, so a 250 KB suite whose `meta`
 * held 25,000 keys took 3 to 4 s of event loop; a 200 KB run of `[` took half a second to be refused.
 */
export interface YamlLimits {
  /** Largest text, in UTF-16 code units (bytes for ASCII). */
  maxBytes: number;
  /** Deepest nesting of mappings and sequences. */
  maxDepth: number;
  /** Most aliases (`*name`) in one document: each one may expand to a whole subtree ("billion laughs"). */
  maxAliasCount: number;
}

/** A suite with hundreds of expectations is tens of KiB; an MLmodel file a few KiB. */
export const DEFAULT_YAML_LIMITS: YamlLimits = { maxBytes: 1024 * 1024, maxDepth: 64, maxAliasCount: 100 };

/** Indentation (spaces and compact `- `, `? ` indicators) a line may start with before the parser sees it. */
const indentBound = (limits: YamlLimits): number => limits.maxDepth * 8;

const tooDeep = (label: string, limits: YamlLimits): Error =>
  invalidParameter(`${label} is nested deeper than the limit of ${limits.maxDepth} levels`);

/**
 * A cheap look at the raw text before parsing: flow collections (`[`, `{` where a token starts, outside quotes and
 * comments) deeper than the limit, or a line indented beyond what the limit allows, are refused in one pass. It may
 * over-count (a block scalar's content), never enough to refuse a real suite or MLmodel; the exact depth is checked on
 * the parsed nodes afterwards (checkParsed).
 */
export const checkYamlText = (text: string, label: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): void => {
  if (text.length > limits.maxBytes) {
    throw invalidParameter(`${label} is ${text.length} characters long, more than the limit of ${limits.maxBytes}`);
  }
  const maxIndent = indentBound(limits);
  let flow = 0;
  let lineStart = true;
  let indent = 0;
  let previous = 0x0a; // the character before, for "does a token start here"
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      lineStart = true;
      indent = 0;
      previous = c;
      continue;
    }
    if (lineStart) {
      // Spaces and compact block indicators ("- - - x" nests three sequences on one line).
      if (c === 0x20 || ((c === 0x2d || c === 0x3f) && (text.charCodeAt(i + 1) === 0x20 || text.charCodeAt(i + 1) === 0x0a))) {
        indent += 1;
        if (indent > maxIndent) throw tooDeep(label, limits);
        previous = c;
        continue;
      }
      lineStart = false;
    }
    // Outside flow collections a token starts after white space only (`a:[b` and `x[[` are plain scalars); inside
    // them also after `,`, `[`, `{` and `:`.
    const afterSpace = previous === 0x20 || previous === 0x0a || previous === 0x09;
    const tokenStart = afterSpace || (flow > 0 && (previous === 0x2c || previous === 0x5b || previous === 0x7b || previous === 0x3a));
    if (c === 0x23 && afterSpace) {
      // A comment: skip to the end of the line.
      const end = text.indexOf("\n", i);
      i = end === -1 ? text.length : end - 1;
      continue;
    }
    if ((c === 0x22 || c === 0x27) && tokenStart) {
      // A quoted scalar; a double-quoted one has backslash escapes, a single-quoted one doubles its quote.
      let j = i + 1;
      for (; j < text.length; j += 1) {
        const d = text.charCodeAt(j);
        if (c === 0x22 && d === 0x5c) j += 1;
        else if (d === c) {
          if (c === 0x27 && text.charCodeAt(j + 1) === 0x27) j += 1;
          else break;
        }
      }
      i = j;
      previous = c;
      continue;
    }
    if ((c === 0x5b || c === 0x7b) && (flow > 0 || tokenStart)) {
      flow += 1;
      if (flow > limits.maxDepth) throw tooDeep(label, limits);
    } else if ((c === 0x5d || c === 0x7d) && flow > 0) {
      flow -= 1;
    }
    previous = c;
  }
};

/**
 * The parsed tree's real depth, alias count and duplicate keys, walked without recursion (the readers after this
 * one recurse, so the depth must be known first). Duplicate keys are found with a set per mapping: linear, where
 * the parser's own check (uniqueKeys) is quadratic.
 */
const checkParsed = (document: Document.Parsed, label: string, limits: YamlLimits, lines: LineCounter): void => {
  let aliases = 0;
  const stack: Array<{ node: ParsedNode; depth: number }> = [];
  if (document.contents !== null) stack.push({ node: document.contents, depth: 1 });
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: ParsedNode; depth: number };
    if (isAlias(node)) {
      aliases += 1;
      if (aliases > limits.maxAliasCount) throw invalidParameter(`${label} has more than ${limits.maxAliasCount} aliases`);
      continue;
    }
    if (!isCollection(node)) continue;
    if (depth > limits.maxDepth) throw tooDeep(label, limits);
    if (isMap(node)) {
      const keys = new Set<unknown>();
      for (const pair of node.items) {
        const key = pair.key as ParsedNode | null;
        if (isScalar(key)) {
          if (keys.has(key.value)) {
            const line = key.range ? lines.linePos(key.range[0]).line : 0;
            throw invalidParameter(`${label} line ${line}: map keys must be unique ('${String(key.value)}' repeats)`);
          }
          keys.add(key.value);
        } else if (key !== null) {
          stack.push({ node: key, depth: depth + 1 });
        }
        if (pair.value !== null) stack.push({ node: pair.value as ParsedNode, depth: depth + 1 });
      }
    } else {
      for (const item of node.items) stack.push({ node: item as ParsedNode, depth: depth + 1 });
    }
  }
};

/**
 * Parses YAML a client sent, within the limits: the text is checked before the parser sees it, the tree before
 * anything reads it. Parse errors stay in `document.errors` for the caller to report in its own words.
 */
export const parseLimitedYaml = (
  text: string,
  label: string,
  limits: YamlLimits = DEFAULT_YAML_LIMITS,
): { document: Document.Parsed; lines: LineCounter } => {
  checkYamlText(text, label, limits);
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
  if (document.errors.length === 0) checkParsed(document, label, limits, lines);
  return { document, lines };
};

/** Plain data from YAML a client sent (an MLmodel file), within the limits; a parse error is thrown as is. */
export const parseLimitedYamlData = (text: string, label: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): unknown => {
  const { document } = parseLimitedYaml(text, label, limits);
  const error = document.errors[0];
  if (error) throw error;
  return document.toJS({ maxAliasCount: limits.maxAliasCount }) as unknown;
};
