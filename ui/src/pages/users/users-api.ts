import { ApiError, cairnGet, MLFLOW_API, request, toQuery } from "../../api/http";

/**
 * Users, for admins: MLflow's basic-auth user endpoints (`/api/2.0/mlflow/users/*`, the same shapes and methods as
 * MLflow's auth app, so its scripts work unchanged) and Cairn's list, which MLflow's REST API does not have.
 */
export interface ListedUserWire {
  username: string;
  is_admin: boolean;
  created_time?: number;
}

export interface UsersPage {
  users: ListedUserWire[];
  nextPageToken: string | undefined;
}

export const userKeys = {
  all: ["users"] as const,
  list: (pageSize: number, pageToken: string | undefined) => ["users", "list", pageSize, pageToken ?? ""] as const,
  one: (username: string) => ["users", "get", username] as const,
};

export const listUsers = async (pageSize: number, pageToken: string | undefined, signal?: AbortSignal): Promise<UsersPage> => {
  const answer = await cairnGet<{ users?: ListedUserWire[]; next_page_token?: string }>(
    "users/list",
    { max_results: pageSize, page_token: pageToken },
    signal,
  );
  return { users: answer.users ?? [], nextPageToken: answer.next_page_token || undefined };
};

const users = (path: string): string => `${MLFLOW_API}/users/${path}`;

/** One user by name (MLflow's users/get); null when there is none (a query may not answer undefined). */
export const getUser = async (username: string, signal?: AbortSignal): Promise<ListedUserWire | null> => {
  try {
    const answer = await request<{ user: ListedUserWire }>("GET", `${users("get")}${toQuery({ username })}`, undefined, signal);
    return answer.user;
  } catch (error) {
    if (error instanceof ApiError && error.code === "RESOURCE_DOES_NOT_EXIST") return null;
    throw error;
  }
};

/** Whether the server has no list of users (MLflow's REST API has none): the page then finds users by name. */
export const isMissingEndpoint = (error: unknown): boolean => error instanceof ApiError && error.code === "ENDPOINT_NOT_FOUND";

export const createUser = async (username: string, password: string): Promise<void> => {
  await request("POST", users("create"), { username, password });
};

export const updatePassword = async (username: string, password: string): Promise<void> => {
  await request("PATCH", users("update-password"), { username, password });
};

export const updateAdmin = async (username: string, isAdmin: boolean): Promise<void> => {
  await request("PATCH", users("update-admin"), { username, is_admin: isAdmin });
};

export const deleteUser = async (username: string): Promise<void> => {
  await request("DELETE", users("delete"), { username });
};
