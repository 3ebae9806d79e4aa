/**
 * What the end-to-end run needs on this machine. Without it the run skips with a message saying
 * what is missing, except in CI (CI=true), where a missing piece fails the run.
 */
import { accessSync, constants, existsSync } from "node:fs";
import { join } from "node:path";
import { CHROMIUM_PATH } from "./browser.mjs";
import { FRONTEND, VENV_BIN } from "./paths.mjs";
import { postgresServer, psql } from "./stack.mjs";

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** @returns {string[]} one line per missing piece (empty: all there) */
export function missingPrerequisites() {
  const missing = [];
  if (!executable(CHROMIUM_PATH)) {
    missing.push(`Chromium: no executable at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`);
  }
  if (!existsSync(join(FRONTEND, "dist", "index.html"))) {
    missing.push("the built console: frontend/dist/index.html is missing (npm run build)");
  }
  if (!executable(join(VENV_BIN, "wiwebb")) || !executable(join(VENV_BIN, "localstripe"))) {
    missing.push("the Python virtualenv: .venv/bin/wiwebb or .venv/bin/localstripe is missing (make install)");
  }
  const pg = postgresServer();
  const error = psql("SELECT 1");
  if (error) missing.push(`PostgreSQL at ${pg.host}:${pg.port} (user ${pg.user}, via psql): ${error.split("\n")[0]}`);
  return missing;
}

export const IN_CI = process.env.CI === "true";
