/**
 * Content type of a downloaded artifact, as MLflow's _guess_mime_type decides it: text-like extensions (and the
 * extension-less MLmodel / MLproject files) are text/plain, known extensions map as Python's mimetypes does, and
 * anything else is application/octet-stream.
 */
const TEXT_EXTENSIONS = new Set([
  "txt", "log", "err", "cfg", "conf", "cnf", "cf", "ini", "properties", "prop", "hocon", "toml", "yaml", "yml",
  "xml", "json", "js", "py", "py3", "csv", "tsv", "md", "rst", "MLmodel", "MLproject",
]);

/** The entries of Python's mimetypes table that artifacts commonly use. */
const KNOWN_TYPES: Record<string, string> = {
  html: "text/html",
  htm: "text/html",
  css: "text/css",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  bmp: "image/bmp",
  ico: "image/vnd.microsoft.icon",
  tif: "image/tiff",
  tiff: "image/tiff",
  webp: "image/webp",
  pdf: "application/pdf",
  zip: "application/zip",
  tar: "application/x-tar",
  pkl: "application/octet-stream",
  wav: "audio/x-wav",
  mp3: "audio/mpeg",
  mp4: "video/mp4",
  webm: "video/webm",
  ipynb: "application/x-ipynb+json",
  sh: "application/x-sh",
};

export const guessMimeType = (fileName: string): string => {
  const dot = fileName.lastIndexOf(".");
  // os.path.splitext: a leading dot (".bashrc") is not an extension.
  const extension = dot > 0 ? fileName.slice(dot + 1) : "";
  const lookup = extension === "" ? fileName : extension;
  if (TEXT_EXTENSIONS.has(lookup)) return "text/plain";
  return KNOWN_TYPES[extension.toLowerCase()] ?? "application/octet-stream";
};

/**
 * Always an attachment, so a browser never renders an artifact on the server's origin (stored XSS). The plain form
 * is MLflow's; names a header cannot carry as is get a quoted ASCII fallback and the RFC 6266 UTF-8 form.
 */
export const attachmentDisposition = (fileName: string): string => {
  if (/^[\w.+-]+$/.test(fileName)) return `attachment; filename=${fileName}`;
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
};
