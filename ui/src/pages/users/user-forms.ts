import { useQueryClient } from "@tanstack/react-query";
import { userKeys } from "./users-api";

/** Bounds the forms enforce before the server does (it refuses longer names and passwords with a 400). */
export const NAME_LIMIT = 128; // src/auth/usernames.ts MAX_USERNAME_LENGTH
export const PASSWORD_LIMIT = 1024; // src/auth/password-hash.ts MAX_PASSWORD_LENGTH

/** After any change to a user: every users query (the list and any lookup) is read again. */
export const useInvalidateUsers = (): (() => Promise<void>) => {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: userKeys.all });
};
