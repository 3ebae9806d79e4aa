/** Where things are, from this file's place in the repository. */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
export const E2E = resolve(HERE, "..");
export const FRONTEND = resolve(E2E, "..");
export const PROJECT = resolve(FRONTEND, "..");
export const VENV_BIN = join(PROJECT, ".venv", "bin");
/** One PNG per test, of the page it ended on (gitignored). */
export const SCREENSHOTS = join(E2E, "screenshots");
/** The server's and localstripe's logs of the last run (gitignored). */
export const LOGS = join(E2E, "logs");
/** The README's picture of the dashboard, refreshed when E2E_UPDATE_SCREENSHOT=1. */
export const README_SCREENSHOT = join(PROJECT, "docs", "images", "dashboard.png");
