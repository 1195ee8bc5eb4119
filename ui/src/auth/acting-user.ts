import { useDeclaredUser } from "../identity";
import { useAuthState } from "./session";

/**
 * The name the server will record for this browser's actions: the signed-in user with sign-in on, else the name
 * declared in the top bar (unverified). Pages use it to offer what only the actor may do (revoking one's approval).
 */
export const useActingUser = (): string | undefined => {
  const state = useAuthState();
  const declared = useDeclaredUser();
  return state.kind === "on" ? state.user?.username : declared;
};
