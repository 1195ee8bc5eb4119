import { cairnGet, cairnPost } from "../api/http";
import type { SignedInUser } from "./session";

/** The user as Cairn's auth endpoints write it (`{username, is_admin}`). */
export interface UserWire {
  username: string;
  is_admin: boolean;
}

export interface WhoamiWire {
  auth_enabled: boolean;
  user?: UserWire;
}

export const toSignedInUser = (user: UserWire): SignedInUser => ({ username: user.username, isAdmin: user.is_admin === true });

export const whoami = (signal?: AbortSignal): Promise<WhoamiWire> => cairnGet<WhoamiWire>("auth/whoami", undefined, signal);

/** Signs in; the server sets the HttpOnly session cookie, which this code never sees. */
export const signIn = async (username: string, password: string): Promise<SignedInUser> =>
  toSignedInUser((await cairnPost<{ user: UserWire }>("auth/sign-in", { username, password })).user);

export const signOut = async (): Promise<void> => {
  await cairnPost<Record<string, never>>("auth/sign-out", {});
};
