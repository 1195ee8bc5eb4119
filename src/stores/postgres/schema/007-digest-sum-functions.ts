import type { Migration } from "../../sql/migration.js";

/**
 * PostgreSQL schema, version 7 — 256-bit addition in SQL, so that adding a write to its run's pending digest is one
 * upsert (issue 14 part 6; PgPendingDigestStore.add). No SQLite counterpart: SQLite adds in the process, under its
 * one writer.
 *
 * content_sum stays TEXT of 64 hex digits (rows saved before keep their meaning, `cairn db migrate` copies it as
 * text both ways); the functions convert through numeric, which is exact at any size:
 * - cairn_hex256_to_numeric(h): 8 groups of 8 hex digits, each read as a bit(32) (lpad'ed to bit(64), so the cast
 *   to bigint is never negative), weighted by 2^(32 * position);
 * - cairn_numeric_to_hex256(n): the reverse, 8 groups of 32 bits, each lpad'ed to 8 hex digits;
 * - cairn_sum256_add(a, b): (a + b) mod 2^256 in that form, what addSums (src/audit/run-data-digest.ts) computes.
 * IMMUTABLE and plain SQL: the planner may inline them; one call costs microseconds, no round trip.
 */
export const PG_DIGEST_SUM_FUNCTIONS_MIGRATION: Migration = {
  version: 7,
  description: "256-bit sum functions for the one-statement pending digest upsert",
  sql: `
    CREATE FUNCTION cairn_hex256_to_numeric(h TEXT) RETURNS NUMERIC
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
        SELECT COALESCE(sum(
          (('x' || lpad(substr(lpad(h, 64, '0'), 1 + 8 * i, 8), 16, '0'))::bit(64)::bigint)::numeric
            * (4294967296::numeric ^ (7 - i))), 0)::numeric(78, 0)
        FROM generate_series(0, 7) AS i
      $fn$;

    CREATE FUNCTION cairn_numeric_to_hex256(n NUMERIC) RETURNS TEXT
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
        SELECT string_agg(lpad(to_hex(mod(div(n, 4294967296::numeric ^ (7 - i)), 4294967296)::bigint), 8, '0'), '' ORDER BY i)
        FROM generate_series(0, 7) AS i
      $fn$;

    CREATE FUNCTION cairn_sum256_add(a TEXT, b TEXT) RETURNS TEXT
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
        SELECT cairn_numeric_to_hex256(mod(cairn_hex256_to_numeric(a) + cairn_hex256_to_numeric(b), 2::numeric ^ 256))
      $fn$;
  `,
};
