import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setAuthState } from "../../auth/session";
import { formatTime } from "../../format";
import { renderWithApp } from "../../test-support/render";
import { CAIRN, stubApi } from "../deployments/stub-api";
import type { ListedUserWire } from "./users-api";
import UsersPage from "./users-page";

const MLFLOW = "/ajax-api/2.0/mlflow";
const T = 1_700_000_000_000;

/** Cairn's users/list and MLflow's users/* endpoints over an in-memory list, as the identity routes behave. */
const usersServer = (options: { list?: boolean } = {}) => {
  let users: ListedUserWire[] = [
    { username: "ada", is_admin: false, created_time: T },
    { username: "root", is_admin: true, created_time: T },
  ];
  const find = (body: unknown): ListedUserWire | undefined => users.find((user) => user.username === (body as { username: string }).username);
  return stubApi({
    ...(options.list === false ? {} : { [`GET ${CAIRN}/users/list`]: () => ({ body: { users } }) }),
    [`GET ${MLFLOW}/users/get`]: (url) => {
      const user = users.find((candidate) => candidate.username === url.searchParams.get("username"));
      if (user === undefined) return { status: 404, body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "User not found." } };
      // users/get has no creation time.
      return { body: { user: { id: 1, username: user.username, is_admin: user.is_admin, experiment_permissions: [], registered_model_permissions: [] } } };
    },
    [`POST ${MLFLOW}/users/create`]: (_url, body) => {
      const { username } = body as { username: string };
      const user = { username, is_admin: false, created_time: T + 1 };
      users = [...users, user].sort((a, b) => a.username.localeCompare(b.username));
      return { body: { user: { id: users.length, username, is_admin: false, experiment_permissions: [], registered_model_permissions: [] } } };
    },
    [`PATCH ${MLFLOW}/users/update-admin`]: (_url, body) => {
      const user = find(body);
      if (user) user.is_admin = (body as { is_admin: boolean }).is_admin;
      return { body: {} };
    },
    [`PATCH ${MLFLOW}/users/update-password`]: () => ({ body: {} }),
    [`DELETE ${MLFLOW}/users/delete`]: (_url, body) => {
      users = users.filter((user) => user !== find(body));
      return { body: {} };
    },
  });
};

const rows = (): string[] =>
  within(screen.getByRole("table", { name: "Users" }))
    .getAllByRole("row")
    .slice(1)
    .map((row) => Array.from(row.children, (cell) => cell.textContent ?? "").slice(0, 3).join(" | "));

describe("the users page", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setAuthState({ kind: "unknown" });
  });

  it("lets an admin create an admin, take the flag away, reset a password and delete a user", async () => {
    setAuthState({ kind: "on", user: { username: "root", isAdmin: true } });
    const calls = usersServer();
    renderWithApp(<UsersPage />, "/users");
    await screen.findByRole("table", { name: "Users" });
    expect(rows()).toEqual([`ada | user | ${formatTime(T)}`, `root (you) | admin | ${formatTime(T)}`]);

    const user = userEvent.setup();
    const create = within(screen.getByRole("region", { name: "Create a user" }));
    await user.type(create.getByLabelText("User name"), "bob");
    await user.type(create.getByLabelText("Password"), "s3cret-enough");
    await user.click(create.getByLabelText("Admin"));
    await user.click(create.getByRole("button", { name: "Create user" }));
    expect(await screen.findByText("Created user bob.")).toBeTruthy();
    await vi.waitFor(() => expect(rows()).toEqual([`ada | user | ${formatTime(T)}`, `bob | admin | ${formatTime(T + 1)}`, `root (you) | admin | ${formatTime(T)}`]));

    await user.click(screen.getByRole("button", { name: "Remove admin from bob" }));
    await screen.findByText("bob is no longer an admin.");
    await vi.waitFor(() => expect(rows()[1]).toBe(`bob | user | ${formatTime(T + 1)}`));

    await user.click(screen.getByRole("button", { name: "Reset password of ada" }));
    await user.type(screen.getByLabelText("New password for ada"), "new-password-1");
    await user.click(screen.getByRole("button", { name: "Set password" }));
    await screen.findByText("Password of ada changed.");

    await user.click(screen.getByRole("button", { name: "Delete user bob" }));
    await user.click(screen.getByRole("button", { name: "Confirm: delete bob" }));
    await screen.findByText("Deleted user bob, with their tokens and sessions.");
    await vi.waitFor(() => expect(rows()).toEqual([`ada | user | ${formatTime(T)}`, `root (you) | admin | ${formatTime(T)}`]));

    expect(calls.filter((call) => call.method !== "GET").map((call) => [call.method, call.path, call.body])).toEqual([
      ["POST", `${MLFLOW}/users/create`, { username: "bob", password: "s3cret-enough" }],
      ["PATCH", `${MLFLOW}/users/update-admin`, { username: "bob", is_admin: true }],
      ["PATCH", `${MLFLOW}/users/update-admin`, { username: "bob", is_admin: false }],
      ["PATCH", `${MLFLOW}/users/update-password`, { username: "ada", password: "new-password-1" }],
      ["DELETE", `${MLFLOW}/users/delete`, { username: "bob" }],
    ]);
  });

  it("finds users by name when the server has no list of users", async () => {
    setAuthState({ kind: "on", user: { username: "root", isAdmin: true } });
    const calls = usersServer({ list: false });
    renderWithApp(<UsersPage />, "/users");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Find user"), "ada");
    await user.click(screen.getByRole("button", { name: "Find" }));
    await screen.findByRole("table", { name: "Users" });
    expect(rows()).toEqual(["ada | user | —"]);

    const create = within(screen.getByRole("region", { name: "Create a user" }));
    await user.type(create.getByLabelText("User name"), "bob");
    await user.type(create.getByLabelText("Password"), "s3cret-enough");
    await user.click(create.getByRole("button", { name: "Create user" }));
    await vi.waitFor(() => expect(rows()).toEqual(["bob | user | —"]));

    await user.click(screen.getByRole("button", { name: "Delete user bob" }));
    await user.click(screen.getByRole("button", { name: "Confirm: delete bob" }));
    expect(await screen.findByText("No user named bob.")).toBeTruthy();
    expect(calls.filter((call) => call.path.endsWith("/users/get")).map((call) => call.query.get("username"))).toEqual(["ada", "ada", "bob", "bob"]);
  });

  it("is for admins only, and asks nothing otherwise", () => {
    setAuthState({ kind: "on", user: { username: "ada", isAdmin: false } });
    const calls = usersServer();
    renderWithApp(<UsersPage />, "/users");
    expect(screen.getByText("Only admins manage users.")).toBeTruthy();
    expect(calls).toEqual([]);
  });
});
