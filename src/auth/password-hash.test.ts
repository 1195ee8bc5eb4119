import { describe, expect, it } from "vitest";
import { dummyPasswordHash, hashPassword, validatePassword, verifyPassword } from "./password-hash.js";

const FAST = { N: 1024, r: 8, p: 1 };

describe("password hashes", () => {
  it("stores scrypt with its parameters and a per-hash salt; verifies the right password only", async () => {
    const a = await hashPassword("correct horse battery", FAST);
    const b = await hashPassword("correct horse battery", FAST);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("correct horse battery", a)).toBe(true);
    expect(await verifyPassword("correct horse batterY", a)).toBe(false);
    expect(await verifyPassword("", a)).toBe(false);
  });

  it("verifies with the parameters stored in the hash (raised defaults keep old hashes valid)", async () => {
    const old = await hashPassword("an older password", { N: 2048, r: 4, p: 1 });
    expect(await verifyPassword("an older password", old)).toBe(true);
    expect(await verifyPassword("an older password", await hashPassword("an older password"))).toBe(true);
  });

  it("never matches a malformed or tampered hash (and does not allocate what a tampered N asks)", async () => {
    for (const stored of ["", "plain", "scrypt$1024$8$1$c2FsdA==", "scrypt$1073741824$8$1$c2FsdA==$AAAA", "bcrypt$x$y$z$a$b", "scrypt$1024$8$1$c2FsdA==$c2hvcnQ="]) {
      expect(await verifyPassword("whatever password", stored)).toBe(false);
    }
  });

  it("has one dummy hash for unknown users, which no guess matches", async () => {
    const dummy = await dummyPasswordHash();
    expect(await dummyPasswordHash()).toBe(dummy);
    expect(await verifyPassword("password1234", dummy)).toBe(false);
  });

  it("demands 12 to 1024 characters, as MLflow's basic-auth app demands 12", () => {
    expect(() => validatePassword("elevenchars")).toThrow("'password' must be at least 12 characters long.");
    expect(() => validatePassword("twelve chars")).not.toThrow();
    expect(() => validatePassword("x".repeat(1025))).toThrow("'password' must be at most 1024 characters long.");
  });
});
