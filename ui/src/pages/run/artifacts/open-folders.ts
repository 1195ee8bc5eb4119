/** The folders holding a path: "a/b/c.txt" -> ["a", "a/b"]. */
export const ancestorsOf = (path: string): string[] => {
  const parts = path.split("/").slice(0, -1);
  return parts.map((_part, index) => parts.slice(0, index + 1).join("/"));
};

const isInside = (path: string, folder: string): boolean => path === folder || path.startsWith(`${folder}/`);

/**
 * The open folders after opening or closing one, sorted so that a view has one URL. Closing a folder also closes
 * the folders inside it: the URL lists only folders that are really in view.
 */
export const toggleOpenFolder = (open: readonly string[], folder: string): string[] =>
  open.includes(folder) ? open.filter((path) => !isInside(path, folder)) : [...open, folder].sort();

/** The open folders plus those holding the chosen file, so that a link naming only the file shows it. */
export const withFolderOfFileOpen = (open: readonly string[], file: string): string[] => [...new Set([...open, ...ancestorsOf(file)])].sort();
