/** Text and attribute values for HTML: every character that could open markup or end an attribute is escaped. */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"'`]/g, (ch) => `&#${ch.charCodeAt(0)};`);
