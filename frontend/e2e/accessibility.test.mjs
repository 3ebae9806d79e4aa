/**
 * The console's accessibility in real Chromium, against the same live stack as console.test.mjs
 * (support/suite.mjs): every page of each role is checked with axe-core (WCAG 2 A and AA; serious and
 * critical violations fail, the others are printed) and at a phone's width (360 × 740: no sideways
 * scrolling, every link of the main navigation reachable); then the keyboard: the login form in Tab
 * order, the skip link, and a confirm dialog. A failing page check saves its screenshot as
 * e2e/screenshots/a11y-<role>-<page>[-phone].png; every violation found, whatever its impact, is
 * written to e2e/logs/accessibility.json.
 *
 * Run: `npm run e2e` in frontend/ after `npm run build` (see docs/testing.md).
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  FAILING_IMPACTS,
  axeViolations,
  describeViolations,
  elementsPastTheEdge,
  focused,
  screenshot,
  sidewaysOverflow,
  unreachableNavLinks,
} from "./support/a11y.mjs";
import { subscribeWithTestCard } from "./support/api.mjs";
import { eventually, heading, inBrowser, signIn } from "./support/browser.mjs";
import { LOGS } from "./support/paths.mjs";
import { PASSWORD, TIMEOUT, e2eSkip, liveConsole } from "./support/suite.mjs";

const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 800 };

const skip = e2eSkip();

describe("the console's accessibility in Chromium", { skip }, () => {
  const live = liveConsole("accessibility");
  /** What the pages show: a tenant with its owner, and a paying subscriber (made in `before`). */
  const made = { tenantId: 0, tenantName: "Initech", owner: "ivy", ownerId: 0, subscriber: "sue" };
  /** Every violation found, by role and page, for logs/accessibility.json. */
  const found = [];

  before(async () => {
    const tenant = await live.tenantWithOwner(made.tenantName, made.owner);
    made.tenantId = tenant.id;
    made.ownerId = (await live.api.findUser(live.staffToken, made.owner)).id;
    await live.subscriber(made.subscriber);
    // A payment for the payments pages and an active subscription for "My subscription".
    await subscribeWithTestCard(live.api, await live.api.login(made.subscriber, PASSWORD), "Premium");
  }, { timeout: 60_000 });

  const staff = () => ({ username: live.stack.adminUsername, password: live.stack.adminPassword });

  after(async () => {
    await writeFile(join(LOGS, "accessibility.json"), `${JSON.stringify(found, null, 2)}\n`).catch(() => {});
  });

  /**
   * Opens each page in turn (`open`) and checks it with axe, then at a phone's width: one subtest per
   * check, each failing on its own.
   * @param {import("node:test").TestContext} t
   * @param {import("playwright-core").Page} page
   * @param {string} role
   * @param {{ name: string, path: string, heading: string }[]} pages
   */
  async function checkPages(t, page, role, pages, { phone = true } = {}) {
    for (const spec of pages) {
      const slug = `a11y-${role}-${spec.path.replace(/^\/|\/$/g, "").replace(/\W+/g, "-") || "home"}`;
      await t.test(`${spec.name} (${spec.path}): no serious or critical axe violation`, async (sub) => {
        await page.setViewportSize(DESKTOP);
        await open(page, spec);
        const violations = await axeViolations(page);
        if (violations.length > 0) found.push({ role, page: spec.path, violations });
        const failing = violations.filter((violation) => FAILING_IMPACTS.includes(violation.impact ?? ""));
        const others = violations.filter((violation) => !failing.includes(violation));
        if (others.length > 0) sub.diagnostic(`minor or moderate, not failing:\n${describeViolations(others)}`);
        if (failing.length > 0) {
          const picture = await screenshot(page, slug);
          assert.fail(
            `${failing.length} serious or critical axe violation(s) on ${spec.path} (screenshot ${picture}):\n` +
              describeViolations(failing),
          );
        }
      });
      if (!phone) continue;
      await t.test(`${spec.name} (${spec.path}) at 360 px: no sideways scrolling, navigation reachable`, async () => {
        await page.setViewportSize(PHONE);
        await heading(page, spec.heading).waitFor();
        try {
          // Let whatever resizes with the window (the chart) settle before measuring.
          await eventually(async () => (await sidewaysOverflow(page)) <= 1, "no sideways overflow", 2_000).catch(
            async () => {
              const overflow = await sidewaysOverflow(page);
              const culprits = await elementsPastTheEdge(page);
              assert.fail(`${spec.path} is ${overflow} px too wide; past the window's edge: ${culprits.join(", ")}`);
            },
          );
          const unreachable = await unreachableNavLinks(page);
          assert.deepEqual(unreachable, [], `main navigation links out of reach at 360 px on ${spec.path}`);
        } catch (error) {
          const picture = await screenshot(page, `${slug}-phone`);
          if (error instanceof Error) {
            // Node prints `stack`, which holds the message as it was when the error was made.
            error.message += `\n(screenshot ${picture})`;
            if (error.stack) error.stack += `\n(screenshot ${picture})`;
          }
          throw error;
        } finally {
          await page.setViewportSize(DESKTOP);
        }
      });
    }
  }

  /**
   * Opens `spec.path` and waits for its h1 and for no loading state to remain. Once the console is
   * loaded, it moves there without a reload (history.pushState, then the popstate the router listens
   * to), as a click on one of its links would: axe stays injected and a page takes a fraction of a second.
   */
  async function open(page, spec) {
    if (page.url().startsWith(live.stack.baseUrl)) {
      await page.evaluate((path) => {
        window.history.pushState(null, "", path);
        window.dispatchEvent(new PopStateEvent("popstate"));
      }, spec.path);
    } else {
      await page.goto(spec.path);
    }
    await heading(page, spec.heading).waitFor();
    await eventually(async () => (await page.locator(".loading").count()) === 0, `${spec.path} to finish loading`);
  }

  pagesTest("the public pages pass axe", "a11y-public", null, () => [
    { name: "login", path: "/login", heading: "Sign in to WiWebb" },
    { name: "registration", path: "/register", heading: "Create an account" },
    { name: "forgot password", path: "/forgot-password", heading: "Reset your password" },
  ], { phone: false });

  pagesTest("staff: every page passes axe and fits 360 px", "a11y-staff", staff, () => [
    { name: "dashboard", path: "/", heading: "Dashboard" },
    { name: "tenants", path: "/tenants", heading: "Tenants" },
    { name: "new tenant", path: "/tenants/new", heading: "New tenant" },
    { name: "a tenant's page", path: `/tenants/${made.tenantId}`, heading: made.tenantName },
    { name: "users", path: "/users", heading: "Users" },
    { name: "new user", path: "/users/new", heading: "New user" },
    { name: "a user's page", path: `/users/${made.ownerId}`, heading: made.owner },
    { name: "audit log", path: "/audit-log", heading: "Audit log" },
    { name: "plans", path: "/plans", heading: "Plans" },
    { name: "manage plans", path: "/plans/manage", heading: "Manage plans" },
    { name: "my subscription", path: "/subscription", heading: "My subscription" },
    { name: "payments", path: "/payments", heading: "Payments" },
    { name: "profile", path: "/profile", heading: "Profile" },
  ]);

  const owner = () => ({ username: made.owner, password: PASSWORD });
  pagesTest("tenant owner: my tenant passes axe and fits 360 px", "a11y-owner", owner, () => [
    { name: "my tenant", path: "/my-tenant", heading: "My tenant" },
  ]);

  const subscriber = () => ({ username: made.subscriber, password: PASSWORD });
  pagesTest("subscriber: every page passes axe and fits 360 px", "a11y-subscriber", subscriber, () => [
    { name: "dashboard", path: "/", heading: "Dashboard" },
    { name: "plans", path: "/plans", heading: "Plans" },
    { name: "my subscription", path: "/subscription", heading: "My subscription" },
  ]);

  /**
   * A test that checks a list of pages, signed in as `who()` when given (read once `before` ran).
   * @param {(() => { username: string, password: string }) | null} who
   */
  function pagesTest(name, screenshotName, who, pages, options = {}) {
    test(name, TIMEOUT, (t) =>
      inBrowser(live.browser, live.stack.baseUrl, screenshotName, async (page) => {
        if (who) await signIn(page, who().username, who().password);
        await checkPages(t, page, screenshotName.replace(/^a11y-/, ""), pages(), options);
      }),
    );
  }

  test("keyboard: Tab goes through the login form in order and Enter signs in", TIMEOUT, () =>
    inBrowser(live.browser, live.stack.baseUrl, "a11y-keyboard-login", async (page) => {
      await page.goto("/login");
      await heading(page, "Sign in to WiWebb").waitFor();
      const passed = await tabTo(page, "Username or e-mail");
      assert.equal((await focused(page))?.tag, "input", `Tab stops before the username: ${passed.join(", ")}`);
      await page.keyboard.type(made.subscriber);
      await page.keyboard.press("Tab");
      assert.deepEqual(pick(await focused(page)), { tag: "input", name: "Password" });
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press("Tab");
      assert.deepEqual(pick(await focused(page)), { tag: "button", name: "Sign in" });
      // Enter in a field submits the form (the button is its submit button).
      await page.keyboard.press("Shift+Tab");
      assert.deepEqual(pick(await focused(page)), { tag: "input", name: "Password" });
      await page.keyboard.press("Enter");
      await page.getByRole("button", { name: "Log out", exact: true }).waitFor();
      await heading(page, "Dashboard").waitFor();
    }),
  );

  test("keyboard: signed in, the skip link is the first Tab stop and moves the focus to main", TIMEOUT, () =>
    inBrowser(live.browser, live.stack.baseUrl, "a11y-keyboard-skip-link", async (page) => {
      await signIn(page, made.subscriber, PASSWORD);
      await page.goto("/profile");
      await heading(page, "Profile").waitFor();
      await page.keyboard.press("Tab");
      assert.deepEqual(pick(await focused(page)), { tag: "a", name: "Skip to content" });
      const link = page.getByRole("link", { name: "Skip to content", exact: true });
      const box = await link.boundingBox();
      assert.ok(box && box.x >= 0 && box.y >= 0, `the focused skip link is on screen (box ${JSON.stringify(box)})`);
      await page.keyboard.press("Enter");
      await eventually(async () => (await focused(page))?.tag === "main", "the focus to move to <main>");
      assert.equal((await focused(page))?.id, "main");
      // The next Tab goes on from inside main, past the header.
      await page.keyboard.press("Tab");
      assert.ok(
        await page.evaluate(() => document.activeElement?.closest("main") !== null),
        `after the skip link, Tab stays in main (focus on ${JSON.stringify(await focused(page))})`,
      );
    }),
  );

  test("keyboard: a confirm dialog opens with Enter or Space, keeps the focus, closes with Escape", TIMEOUT, async () => {
    const tenant = await live.api.createTenant(live.staffToken, "Umbrella");
    await inBrowser(live.browser, live.stack.baseUrl, "a11y-keyboard-confirm-dialog", async (page) => {
      await signIn(page, live.stack.adminUsername, live.stack.adminPassword);
      await page.goto(`/tenants/${tenant.id}`);
      await heading(page, "Umbrella").waitFor();
      const trigger = page.getByRole("button", { name: "Delete", exact: true });
      const dialog = page.getByRole("dialog", { name: "Delete the tenant “Umbrella”?" });
      for (const key of ["Enter", "Space"]) {
        await trigger.focus();
        await page.keyboard.press(key);
        await dialog.waitFor();
        const inside = [];
        for (const move of ["Tab", "Tab", "Tab", "Shift+Tab", "Shift+Tab", "Shift+Tab", "Shift+Tab"]) {
          const now = await focused(page, "[role='dialog']");
          inside.push(now?.inside ? now.name : `OUTSIDE: ${JSON.stringify(now)}`);
          await page.keyboard.press(move);
        }
        const path = inside.join(" | ");
        assert.ok(!inside.some((name) => name.startsWith("OUTSIDE")), `focus left the dialog (${key}): ${path}`);
        assert.ok(inside.includes("Cancel") && inside.includes("Delete tenant"), `Tab reaches both buttons: ${path}`);
        await page.keyboard.press("Escape");
        await dialog.waitFor({ state: "detached" });
        const back = `the focus back on Delete after ${key}, Escape`;
        await eventually(async () => (await focused(page))?.name === "Delete", back);
      }
      // Escape cancelled: the tenant is still there.
      assert.equal((await live.api.call("GET", `tenants/${tenant.id}/`, { token: live.staffToken })).name, "Umbrella");
    });
  });

  /** Presses Tab until the focused control is named `name`; returns the names passed on the way. */
  async function tabTo(page, name, maxStops = 10) {
    const passed = [];
    for (let stop = 0; stop < maxStops; stop++) {
      await page.keyboard.press("Tab");
      const now = await focused(page);
      if (now?.name === name) return passed;
      passed.push(now ? `${now.tag} "${now.name}"` : "(nothing)");
    }
    assert.fail(`Tab did not reach "${name}" in ${maxStops} stops: ${passed.join(", ")}`);
  }

  function pick(control) {
    return control ? { tag: control.tag, name: control.name } : null;
  }
});
