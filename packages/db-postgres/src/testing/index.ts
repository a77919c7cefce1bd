/**
 * `@operator/db-postgres/testing`: a real PostgreSQL server for tests (initdb + postgres in a
 * temporary directory, on a free port), for this package's tests and the CLI's.
 */
export type { StartTestPostgresOptions, TestPostgres } from "./test-postgres.ts";
export { findPostgresBin, startTestPostgres } from "./test-postgres.ts";
