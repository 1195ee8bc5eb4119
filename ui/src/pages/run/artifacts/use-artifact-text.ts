import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { fetchArtifactText, type ArtifactText } from "./fetch-artifact-text";

/** The head of an artifact as text; an artifact does not change once written, so it is fetched once. */
export const useArtifactText = (url: string): UseQueryResult<ArtifactText> =>
  useQuery({ queryKey: ["artifact-text", url], queryFn: ({ signal }) => fetchArtifactText(url, signal), staleTime: Infinity });
