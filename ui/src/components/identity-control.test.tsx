import { act, fireEvent, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { mlflowGet } from "../api/http";
import { setAuthState } from "../auth/session";
import { setDeclaredUser } from "../identity";
import { renderWithApp } from "../test-support/render";
import { IdentityControl } from "./identity-control";

describe("the declared user", () => {
  beforeEach(() => {
    window.localStorage.clear();
    setDeclaredUser(undefined);
    // The declared name exists only on a server without sign-in.
    setAuthState({ kind: "off" });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    setAuthState({ kind: "unknown" });
  });

  it("is set in the top bar, kept in localStorage, and sent as x-cairn-user with every API request", async () => {
    renderWithApp(<IdentityControl />);
    expect(screen.getByText("Anonymous")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Set your name" }));
    fireEvent.change(screen.getByLabelText("Your name"), { target: { value: "  ada  " } });
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "Save" }));
    });
    expect(screen.getByText("ada").tagName).toBe("STRONG");
    expect(window.localStorage.getItem("cairn.user")).toBe("ada");

    const fetchMock = vi.fn(async () => new Response("{}", { status: 200 }));
    vi.stubGlobal("fetch", fetchMock);
    await mlflowGet("experiments/search", { max_results: 1 });
    const init = (fetchMock.mock.calls[0] as unknown as [string, RequestInit])[1];
    expect(init.headers).toEqual({ "x-cairn-user": "ada" });

    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "Clear" }));
    });
    expect(window.localStorage.getItem("cairn.user")).toBeNull();
    await mlflowGet("experiments/search", { max_results: 1 });
    expect((fetchMock.mock.calls[1] as unknown as [string, RequestInit])[1].headers).toEqual({});
  });

  it("is never sent once the server said sign-in is on, nor before it said anything", async () => {
    setDeclaredUser("ada");
    const fetchMock = vi.fn(async () => new Response("{}", { status: 200 }));
    vi.stubGlobal("fetch", fetchMock);
    setAuthState({ kind: "on", user: { username: "bob", isAdmin: false } });
    await mlflowGet("experiments/search", { max_results: 1 });
    setAuthState({ kind: "unknown" });
    await mlflowGet("experiments/search", { max_results: 1 });
    expect(fetchMock.mock.calls.map((call) => (call as unknown as [string, RequestInit])[1].headers)).toEqual([{}, {}]);
  });

  it("refuses a name that cannot travel in a header, saying why", () => {
    renderWithApp(<IdentityControl />);
    fireEvent.click(screen.getByRole("button", { name: "Set your name" }));
    fireEvent.change(screen.getByLabelText("Your name"), { target: { value: "Zoë" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.getByRole("alert").textContent).toBe("Use letters, digits, spaces and ASCII punctuation only.");
    expect(window.localStorage.getItem("cairn.user")).toBeNull();
  });
});
