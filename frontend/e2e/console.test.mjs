/**
 * The web console end to end, in real Chromium, against a live WiWebb on PostgreSQL with localstripe
 * as Stripe (support/stack.mjs starts it all for the run and tears it down after). Each test drives
 * the console as its user would, by the controls' accessible names, and saves a screenshot of the
 * page it ends on in e2e/screenshots/. What a test needs but does not test (a tenant, a user) is made
 * through the API.
 *
 * Run: `npm run e2e` in frontend/ after `npm run build` (see docs/testing.md).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { subscribeWithTestCard } from "./support/api.mjs";
import { eventually, heading, inBrowser, navLink, signIn, updateReadmeScreenshot } from "./support/browser.mjs";
import { PASSWORD, TIMEOUT, e2eSkip, liveConsole } from "./support/suite.mjs";

const skip = e2eSkip();

describe("the web console in Chromium", { skip }, () => {
  const live = liveConsole("console");
  const { tenantWithOwner, subscriber } = live;

  test("staff creates a tenant and its owner", TIMEOUT, () =>
    inBrowser(live.browser, live.stack.baseUrl, "staff-creates-tenant-and-owner", async (page) => {
      await signIn(page, live.stack.adminUsername, live.stack.adminPassword);

      await navLink(page, "Tenants").click();
      await heading(page, "Tenants").waitFor();
      await page.getByRole("button", { name: "New tenant", exact: true }).click();
      await heading(page, "New tenant").waitFor();
      await page.getByLabel("Name", { exact: true }).fill("Acme Corp");
      await page.getByRole("button", { name: "Create tenant", exact: true }).click();
      await heading(page, "Acme Corp").waitFor();

      await navLink(page, "Users").click();
      await heading(page, "Users").waitFor();
      await page.getByRole("button", { name: "New user", exact: true }).click();
      await heading(page, "New user").waitFor();
      const form = page.getByRole("form", { name: "New user" });
      await form.getByLabel("Username", { exact: true }).fill("olivia");
      await form.getByLabel("E-mail", { exact: true }).fill("olivia@acme.test");
      await form.getByLabel("First name", { exact: true }).fill("Olivia");
      await form.getByLabel("Last name", { exact: true }).fill("Owner");
      await form.getByLabel("Role", { exact: true }).selectOption("tenant_owner");
      await form.getByLabel("Tenant", { exact: true }).selectOption({ label: "Acme Corp" });
      await form.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await page.getByRole("button", { name: "Create user", exact: true }).click();
      await heading(page, "olivia").waitFor(); // the new user's page
      assert.equal(await fact(page, "Role").textContent(), "Tenant owner");
      assert.equal(await fact(page, "Tenant").textContent(), "Acme Corp");

      const olivia = await live.api.findUser(live.staffToken, "olivia");
      assert.equal(olivia?.role, "tenant_owner");
      assert.equal(olivia?.tenant?.name, "Acme Corp");
      assert.equal(olivia?.first_name, "Olivia");
      await live.api.login("olivia", PASSWORD); // the password given in the form works
    }));

  test("the owner adds a subscriber, deactivates and reactivates them", TIMEOUT, async () => {
    await tenantWithOwner("Globex", "gina");
    await inBrowser(live.browser, live.stack.baseUrl, "owner-manages-a-subscriber", async (page) => {
      await signIn(page, "gina", PASSWORD);

      await navLink(page, "Users").click();
      await heading(page, "Users").waitFor();
      await page.getByRole("button", { name: "New user", exact: true }).click();
      await heading(page, "New user").waitFor();
      const form = page.getByRole("form", { name: "New user" });
      await form.getByLabel("Username", { exact: true }).fill("sam");
      await form.getByLabel("E-mail", { exact: true }).fill("sam@globex.test");
      await form.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await page.getByRole("button", { name: "Create user", exact: true }).click();
      await heading(page, "sam").waitFor(); // the new user's page
      assert.equal(await fact(page, "Tenant").textContent(), "Globex"); // the owner's own tenant
      assert.equal(await fact(page, "Status").textContent(), "Active");

      await setActive(page, false);
      const deactivated = await live.api.findUser(live.staffToken, "sam");
      assert.equal(deactivated?.is_active, false);
      assert.equal(deactivated?.tenant?.name, "Globex");
      assert.equal(deactivated?.role, "subscriber");

      await setActive(page, true);
      assert.equal((await live.api.findUser(live.staffToken, "sam"))?.is_active, true);
    });
  });

  test("a subscriber subscribes with a card on localstripe, sees the status, cancels", TIMEOUT, async () => {
    const { username } = await subscriber("petra");
    await inBrowser(live.browser, live.stack.baseUrl, "subscriber-subscribes-and-cancels", async (page) => {
      await signIn(page, username, PASSWORD);

      await navLink(page, "Plans").click();
      await heading(page, "Plans").waitFor();
      await page.getByRole("button", { name: "Subscribe to Premium", exact: true }).click();
      // localstripe's stand-in of Stripe.js: plain inputs named by their placeholders.
      const card = page.getByRole("group", { name: "Card", exact: true });
      await card.getByPlaceholder("number", { exact: true }).fill("4242424242424242");
      await card.getByPlaceholder("exp_month", { exact: true }).fill("12");
      await card.getByPlaceholder("exp_year", { exact: true }).fill("34");
      await card.getByPlaceholder("cvc", { exact: true }).fill("123");
      await card.getByPlaceholder("postal_code", { exact: true }).fill("42424");
      await page.getByRole("button", { name: "Pay and subscribe", exact: true }).click();

      await heading(page, "My subscription").waitFor();
      await page.getByText("Status: active", { exact: true }).waitFor();

      await page.getByRole("button", { name: "Cancel subscription", exact: true }).click();
      const dialog = page.getByRole("dialog", { name: "Cancel your subscription?" });
      await dialog.getByRole("button", { name: "Cancel subscription", exact: true }).click();
      await dialog.waitFor({ state: "detached" });
      await page.getByText(/^Cancels at the end of the period/).waitFor();
      await page.getByText("Status: active", { exact: true }).waitFor();

      const token = await live.api.login(username, PASSWORD);
      const status = await live.api.call("GET", "subscriptions/status/", { token });
      assert.equal(status.status, "active");
      assert.equal(status.cancel_at_period_end, true);
      assert.match(status.subscription_id, /^sub_/);
    });
  });

  test("a password reset goes from the request to the mailed link to signing in", TIMEOUT, async () => {
    const { username, email } = await subscriber("rita");
    const newPassword = "Brand-new-password-7";
    await inBrowser(live.browser, live.stack.baseUrl, "password-reset", async (page) => {
      await page.goto("/login");
      await page.getByRole("link", { name: "Forgot your password?", exact: true }).click();
      await heading(page, "Reset your password").waitFor();
      const logOffset = live.stack.serverLog.text.length;
      await page.getByLabel("E-mail", { exact: true }).fill(email);
      await page.getByRole("button", { name: "Send reset link", exact: true }).click();
      await page.getByText("Password reset e-mail has been sent.").first().waitFor();

      const link = await live.stack.serverLog.resetLink(email, logOffset);
      assert.ok(link.startsWith(`${live.stack.baseUrl}/reset-password/`), link);
      await page.goto(link);
      await heading(page, "Choose a new password").waitFor();
      await page.getByLabel("New password", { exact: true }).fill(newPassword);
      await page.getByLabel("Confirm new password", { exact: true }).fill(newPassword);
      await page.getByRole("button", { name: "Set new password", exact: true }).click();
      await page.getByText("Password has been reset with the new password.").first().waitFor();

      await signIn(page, username, newPassword);
      await navLink(page, "Profile").waitFor();
      await assert.rejects(live.api.login(username, PASSWORD), /400/); // the old password no longer works
    });
  });

  test("a 401 after logging out returns to the login page with the API's message", TIMEOUT, async () => {
    const { username } = await subscriber("lou");
    await inBrowser(live.browser, live.stack.baseUrl, "unauthorized-returns-to-login", async (page) => {
      await signIn(page, username, PASSWORD);
      const oldToken = await page.evaluate(() => window.localStorage.getItem("auth_token"));
      assert.match(oldToken ?? "", /^[0-9a-f]{40}$/);

      await page.getByRole("button", { name: "Log out", exact: true }).click();
      await page.getByRole("button", { name: "Sign in", exact: true }).waitFor();
      assert.equal(await page.evaluate(() => window.localStorage.getItem("auth_token")), null);

      // The revoked token comes back (another tab, a stale copy): the API's 401 ends at the login page.
      await page.evaluate((token) => window.localStorage.setItem("auth_token", token), oldToken);
      await page.goto("/profile");
      await page.getByRole("button", { name: "Sign in", exact: true }).waitFor();
      await page.getByText("Invalid token.", { exact: true }).waitFor();
      assert.equal(new URL(page.url()).pathname, "/login");
      assert.equal(await page.evaluate(() => window.localStorage.getItem("auth_token")), null);
    });
  });

  test("staff see the dashboard's figures and chart", TIMEOUT, async () => {
    // A few more paying subscribers, so that the figures and the chart have something to show.
    for (const [username, plan] of [["dora", "Premium"], ["dan", "Day Pass"]]) {
      await subscriber(username);
      await subscribeWithTestCard(live.api, await live.api.login(username, PASSWORD), plan);
    }
    const stats = await live.api.call("GET", "dashboard/stats/", { token: live.staffToken });
    assert.ok(stats.active_subscriptions >= 2, JSON.stringify(stats));
    await inBrowser(live.browser, live.stack.baseUrl, "dashboard", async (page) => {
      await signIn(page, live.stack.adminUsername, live.stack.adminPassword);
      await navLink(page, "Dashboard").click();
      await heading(page, "Dashboard").waitFor();
      for (const figure of [stats.total_tenants, stats.total_users, stats.active_subscriptions]) {
        await page.getByText(String(figure), { exact: true }).first().waitFor();
      }
      await page.locator("canvas").first().waitFor();
      await page.waitForLoadState("networkidle");
      await page.waitForTimeout(500); // let the chart finish its animation before the picture
    });
    if (await updateReadmeScreenshot("dashboard")) console.log("# docs/images/dashboard.png updated");
  });

  /** The value next to the term `term` of the page's facts (`<dt>term</dt><dd>value</dd>`). */
  function fact(page, term) {
    return page.locator(`dt:text-is("${term}") + dd`);
  }

  /** Clicks Activate or Deactivate and waits for the user's status to say so. */
  async function setActive(page, active) {
    await page.getByRole("button", { name: active ? "Activate" : "Deactivate", exact: true }).click();
    await page.getByRole("button", { name: active ? "Deactivate" : "Activate", exact: true }).waitFor();
    await eventually(
      async () => (await fact(page, "Status").textContent()) === (active ? "Active" : "Inactive"),
      `the status to read ${active ? "Active" : "Inactive"}`,
    );
  }
});
