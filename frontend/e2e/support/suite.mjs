/**
 * What every end-to-end test file shares: whether the run can happen at all (`skip`), and the live
 * console a `describe` runs against (`liveConsole()`: the stack and Chromium started in its `before`,
 * stopped in its `after`), with the API helpers that make what a test needs but does not test.
 */
import { after, before } from "node:test";
import { Api } from "./api.mjs";
import { launchBrowser } from "./browser.mjs";
import { IN_CI, missingPrerequisites } from "./prerequisites.mjs";
import { Stack } from "./stack.mjs";

/** The password of every user the tests make. */
export const PASSWORD = "Correct-horse-battery-9";
/** Per test. */
export const TIMEOUT = { timeout: 60_000 };

/**
 * false when the run can happen, else why it is skipped (logged once per file). Under CI a missing
 * prerequisite is an error instead.
 */
export function e2eSkip() {
  const missing = missingPrerequisites();
  if (missing.length > 0 && IN_CI) {
    throw new Error(`The end-to-end tests cannot run (CI=true requires them):\n- ${missing.join("\n- ")}`);
  }
  const skip = missing.length > 0 ? `end-to-end tests skipped: missing ${missing.join("; ")}` : false;
  if (skip) console.log(`# ${skip}`);
  return skip;
}

/**
 * Registers the `before`/`after` hooks of the enclosing `describe` that start and stop the stack and
 * Chromium; the returned object's fields are set once `before` has run. Each test file runs in its
 * own process with its own stack, `name` naming its logs (logs/<name>-server.log).
 * @param {string} name
 */
export function liveConsole(name) {
  const live = {
    /** @type {Stack} */ stack: /** @type {any} */ (null),
    /** @type {import("playwright-core").Browser} */ browser: /** @type {any} */ (null),
    /** @type {Api} */ api: /** @type {any} */ (null),
    /** @type {string} */ staffToken: "",

    /** A tenant and its owner, made through the API. */
    async tenantWithOwner(name, owner) {
      const tenant = await live.api.createTenant(live.staffToken, name);
      await live.api.createUser(live.staffToken, {
        username: owner,
        email: `${owner}@wiwebb.test`,
        role: "tenant_owner",
        tenant: tenant.id,
        password: PASSWORD,
      });
      return tenant;
    },

    /** A subscriber of a new tenant (with its owner `<username>-owner`), made through the API. */
    async subscriber(username) {
      const tenant = await live.tenantWithOwner(`Tenant of ${username}`, `${username}-owner`);
      const email = `${username}@wiwebb.test`;
      const user = await live.api.createUser(live.staffToken, {
        username,
        email,
        role: "subscriber",
        tenant: tenant.id,
        password: PASSWORD,
      });
      return { username, email, user, tenant };
    },
  };

  before(async () => {
    const startedAt = Date.now();
    live.stack = new Stack(name);
    // Both settled before going on, so that `after` stops whatever did start when the other failed.
    const [up, launched] = await Promise.allSettled([live.stack.start(), launchBrowser()]);
    if (launched.status === "fulfilled") live.browser = launched.value;
    for (const outcome of [up, launched]) if (outcome.status === "rejected") throw outcome.reason;
    live.api = new Api(live.stack.baseUrl);
    live.staffToken = await live.api.login(live.stack.adminUsername, live.stack.adminPassword);
    const took = ((Date.now() - startedAt) / 1000).toFixed(1);
    console.log(`# stack up in ${took} s (${live.stack.timings.join(", ")}) at ${live.stack.baseUrl}`);
  }, { timeout: 120_000 });

  after(async () => {
    await live.browser?.close().catch(() => {});
    await live.stack?.stop();
  }, { timeout: 60_000 });

  return live;
}
