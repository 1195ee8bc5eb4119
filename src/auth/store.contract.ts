import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AuthStore, NewUser, StoredToken } from "./store.js";

/** The contract every AuthStore backend passes; each test gets a fresh, empty store. */
export type OpenAuthStore = () => Promise<{ store: AuthStore; cleanup(): Promise<void> }>;

const user = (username: string, overrides: Partial<NewUser> = {}): NewUser => ({
  username,
  passwordHash: `scrypt$16384$8$1$salt-${username}$hash-${username}`,
  isAdmin: false,
  createdTime: 1000,
  ...overrides,
});

const token = (id: string, username: string, overrides: Partial<StoredToken> = {}): StoredToken => ({
  id,
  name: `token ${id}`,
  username,
  secretSha256: `sha-${id}`,
  createdTime: 2000,
  ...overrides,
});

export function describeAuthStoreContract(name: string, open: OpenAuthStore): void {
  describe(`AuthStore contract: ${name}`, () => {
    let store: AuthStore;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });
    afterEach(async () => {
      await cleanup();
    });

    it("creates users once, reads, lists in name order with a cursor, and counts admins", async () => {
      const bob = await store.createUser(user("bob"));
      expect(bob).toEqual({ ...user("bob"), id: expect.any(Number) });
      const ada = await store.createUser(user("ada", { isAdmin: true, createdTime: 500 }));
      expect(ada?.id).not.toBe(bob?.id);
      expect(await store.createUser(user("bob", { isAdmin: true }))).toBeUndefined();
      expect(await store.getUser("bob")).toEqual(bob);
      expect(await store.getUser("nobody")).toBeUndefined();
      expect((await store.listUsers({ limit: 10 })).map((u) => u.username)).toEqual(["ada", "bob"]);
      expect((await store.listUsers({ limit: 1 })).map((u) => u.username)).toEqual(["ada"]);
      expect((await store.listUsers({ limit: 10, after: "ada" })).map((u) => u.username)).toEqual(["bob"]);
      expect(await store.countAdmins()).toBe(1);
      expect(await store.updateAdmin("bob", true)).toBe(true);
      expect(await store.updateAdmin("nobody", true)).toBe(false);
      expect(await store.countAdmins()).toBe(2);
    });

    it("changes a password and ends the user's sessions (only theirs)", async () => {
      await store.createUser(user("ada"));
      await store.createUser(user("bob"));
      await store.createSession({ sessionSha256: "s-ada", username: "ada", createdTime: 1, expirationTime: 100, idleExpirationTime: 50 });
      await store.createSession({ sessionSha256: "s-bob", username: "bob", createdTime: 1, expirationTime: 100, idleExpirationTime: 50 });
      expect(await store.updatePassword("ada", "scrypt$new")).toBe(true);
      expect(await store.updatePassword("nobody", "scrypt$new")).toBe(false);
      expect((await store.getUser("ada"))?.passwordHash).toBe("scrypt$new");
      expect(await store.findSession("s-ada")).toBeUndefined();
      expect(await store.findSession("s-bob")).toEqual({
        session: { sessionSha256: "s-bob", username: "bob", createdTime: 1, expirationTime: 100, idleExpirationTime: 50 },
        isAdmin: false,
      });
    });

    it("keeps tokens by the sha256 of their secret, lists newest first, revokes once, records use", async () => {
      await store.createUser(user("ada", { isAdmin: true }));
      await store.createUser(user("bob"));
      await store.createToken(token("t1", "ada"));
      await store.createToken(token("t2", "ada", { createdTime: 3000, expirationTime: 9000 }));
      await store.createToken(token("t3", "bob", { createdTime: 2500 }));
      expect(await store.getToken("t2")).toEqual(token("t2", "ada", { createdTime: 3000, expirationTime: 9000 }));
      expect(await store.getToken("nope")).toBeUndefined();
      expect(await store.findTokenBySecret("sha-t1")).toEqual({ token: token("t1", "ada"), isAdmin: true });
      expect(await store.findTokenBySecret("sha-t3")).toEqual({ token: token("t3", "bob", { createdTime: 2500 }), isAdmin: false });
      expect(await store.findTokenBySecret("t1")).toBeUndefined();
      expect((await store.listTokens("ada", 10)).map((t) => t.id)).toEqual(["t2", "t1"]);
      expect((await store.listTokens("ada", 1)).map((t) => t.id)).toEqual(["t2"]);
      expect((await store.listAllTokens(10)).map((t) => t.id)).toEqual(["t2", "t3", "t1"]);
      expect(await store.countActiveTokens("ada", 5000)).toBe(2);
      expect(await store.countActiveTokens("ada", 9000)).toBe(1);

      expect(await store.revokeToken("t1", 4000)).toBe(true);
      expect(await store.revokeToken("t1", 4001)).toBe(false);
      expect(await store.revokeToken("nope", 4001)).toBe(false);
      expect((await store.getToken("t1"))?.revokedTime).toBe(4000);
      expect(await store.countActiveTokens("ada", 5000)).toBe(1);
      await store.touchToken("t2", 4500);
      expect((await store.getToken("t2"))?.lastUsedTime).toBe(4500);
    });

    it("keeps sessions by the sha256 of the cookie; idle expiry moves but never past the absolute one", async () => {
      await store.createUser(user("ada", { isAdmin: true }));
      await store.createSession({ sessionSha256: "s1", username: "ada", createdTime: 10, expirationTime: 1000, idleExpirationTime: 100 });
      await store.touchSession("s1", 500);
      expect((await store.findSession("s1"))?.session.idleExpirationTime).toBe(500);
      await store.touchSession("s1", 5000);
      expect(await store.findSession("s1")).toEqual({
        session: { sessionSha256: "s1", username: "ada", createdTime: 10, expirationTime: 1000, idleExpirationTime: 1000 },
        isAdmin: true,
      });
      expect(await store.deleteSession("s1")).toBe(true);
      expect(await store.deleteSession("s1")).toBe(false);
      expect(await store.findSession("s1")).toBeUndefined();
    });

    it("drops expired sessions, trims a user's oldest sessions, and counts them", async () => {
      await store.createUser(user("ada"));
      for (let i = 0; i < 5; i++) {
        await store.createSession({ sessionSha256: `s${i}`, username: "ada", createdTime: i, expirationTime: 100 + i, idleExpirationTime: 50 + i });
      }
      expect(await store.deleteExpiredSessions(51)).toBe(2); // idle expiry 50 and 51
      expect(await store.countSessions("ada")).toBe(3);
      expect(await store.trimSessions("ada", 2)).toBe(1);
      expect(await store.findSession("s2")).toBeUndefined();
      expect(await store.findSession("s4")).toBeDefined();
      expect(await store.countSessions("ada")).toBe(2);
    });

    it("deletes a user with their tokens and sessions", async () => {
      await store.createUser(user("ada"));
      await store.createToken(token("t1", "ada"));
      await store.createSession({ sessionSha256: "s1", username: "ada", createdTime: 1, expirationTime: 100, idleExpirationTime: 50 });
      const before = await store.getUser("ada");
      expect(await store.deleteUser("ada")).toBe(true);
      expect(await store.deleteUser("ada")).toBe(false);
      expect(await store.getUser("ada")).toBeUndefined();
      expect(await store.getToken("t1")).toBeUndefined();
      expect(await store.findTokenBySecret("sha-t1")).toBeUndefined();
      expect(await store.findSession("s1")).toBeUndefined();
      // The name can be taken again, with nothing of the old user's attached.
      const again = await store.createUser(user("ada"));
      expect(again?.id).not.toBe(before?.id);
      expect(await store.listTokens("ada", 10)).toEqual([]);
    });
  });
}
