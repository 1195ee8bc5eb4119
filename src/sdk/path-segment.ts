/**
 * One value placed in a URL path (`logged-models/{model_id}`, `traces/{trace_id}/tags`). encodeURIComponent keeps
 * "." and "..", which the URL parser would then resolve as directory steps, sending the request to another
 * endpoint: such values are refused here, before anything is sent.
 */
export const pathSegment = (name: string, value: string): string => {
  if (typeof value !== "string" || value === "" || value === "." || value === "..") {
    throw new TypeError(`${name} must be a non-empty string other than '.' and '..', got ${JSON.stringify(value)}`);
  }
  return encodeURIComponent(value);
};
