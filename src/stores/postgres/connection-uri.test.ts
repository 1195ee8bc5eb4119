import { describe, expect, it } from "vitest";
import { parsePostgresUri, redactUri } from "./connection-uri.js";

describe("parsePostgresUri", () => {
  it("reads MLflow's spelling, driver suffix included, percent-decoding user, password and database", () => {
    expect(parsePostgresUri("postgresql://ada:s%40cret@db.example:6543/cairn%2Dprod")).toEqual({
      host: "db.example",
      port: 6543,
      database: "cairn-prod",
      user: "ada",
      password: "s@cret",
    });
    expect(parsePostgresUri("postgresql+psycopg2://u@127.0.0.1/mlflow?sslmode=require")).toEqual({
      host: "127.0.0.1",
      port: 5432,
      database: "mlflow",
      user: "u",
      ssl: true,
    });
    expect(parsePostgresUri("postgres://u@localhost/db?host=/run/pg&application_name=cairn")).toMatchObject({
      host: "/run/pg",
      applicationName: "cairn",
    });
  });

  it("names the missing or wrong part and never echoes the password", () => {
    const cases: [string, RegExp][] = [
      ["mysql://u:p@h/db", /is not a postgresql:\/\/ URI/],
      ["postgresql://u:hunter2@/db", /has no host|is not a valid URI/],
      ["postgresql://u:hunter2@h:99999/db", /port must be 1 to 65535|not a valid URI/],
      ["postgresql://u:hunter2@h:5432/", /names no database/],
      ["postgresql://u:hunter2@h/db?sslmode=sometimes", /sslmode must be one of/],
      ["postgresql://u:hunter2@h/db?connect_timeout=1", /query option 'connect_timeout' is not supported/],
    ];
    for (const [uri, message] of cases) {
      let error: unknown;
      try {
        parsePostgresUri(uri);
      } catch (caught) {
        error = caught;
      }
      expect(error, uri).toBeInstanceOf(Error);
      expect((error as Error).message, uri).toMatch(message);
      expect((error as Error).message, uri).not.toContain("hunter2");
    }
  });
});

describe("redactUri", () => {
  it("replaces the password and leaves URIs without one unchanged", () => {
    expect(redactUri("postgresql://ada:s3cret@h:5432/db")).toBe("postgresql://ada:***@h:5432/db");
    expect(redactUri("postgresql+psycopg2://ada:p:w@h/db")).toBe("postgresql+psycopg2://ada:***@h/db");
    expect(redactUri("postgresql://ada@h/db")).toBe("postgresql://ada@h/db");
    expect(redactUri("sqlite:///cairn.db")).toBe("sqlite:///cairn.db");
  });
});
