/**
 * commander hands option values over as `unknown`-ish records; the parser entries of every command group turn them
 * into the typed options of their command functions with these two.
 */

/** A single-valued option: its text, or undefined when not given. */
export const str = (value: unknown): string | undefined => (value === undefined ? undefined : String(value));

/** A repeatable option (`<value...>`): its texts, or undefined when not given. */
export const list = (value: unknown): string[] | undefined => (Array.isArray(value) ? value.map(String) : undefined);
