/** The default database file, relative to the working directory. */
export const DEFAULT_DB = "./operator.db";
/** The default cycle interval. */
export const DEFAULT_INTERVAL = "30s";
/** The package that `--pd` builds a subject with. */
export const TIKV_PACKAGE = "@operator/tikv";
