/**
 * Chromium driven by playwright-core: Debian's `chromium` (or CHROMIUM_PATH), never a downloaded
 * browser. playwright-core has no `expect`: `waitFor` on a locator (which retries until the
 * element is there) and `eventually` below play its part.
 */
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { chromium } from "playwright-core";
import { README_SCREENSHOT, SCREENSHOTS } from "./paths.mjs";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
/** How long a step waits for the page (an element, a navigation) before the test fails. */
const STEP_TIMEOUT_MS = 10_000;

export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ["--no-sandbox"], timeout: 60_000 });
}

/**
 * Runs `steps` in a fresh browser context (its own localStorage) on the console at `baseUrl`, then
 * saves a screenshot of the page it ended on as screenshots/<name>.png, whether the steps passed or
 * failed. A failure's message gains the page's URL and any uncaught errors the page had. Steps that
 * pass still fail if the page's Content-Security-Policy refused anything on the way.
 * @param {import("playwright-core").Browser} browser
 * @param {string} baseUrl
 * @param {string} name
 * @param {(page: import("playwright-core").Page) => Promise<void>} steps
 */
export async function inBrowser(browser, baseUrl, name, steps) {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(`uncaught: ${error.message}`));
  const refused = [];
  page.on("console", (message) => {
    if (message.type() === "error") pageErrors.push(`console.error: ${message.text()}`);
    // Chromium reports what the page's Content-Security-Policy blocked (Stripe.js, a call, a style).
    if (message.text().includes("Content Security Policy")) refused.push(message.text());
  });
  try {
    await steps(page);
    if (refused.length) throw new Error(`the Content-Security-Policy refused:\n  ${refused.join("\n  ")}`);
  } catch (error) {
    const url = page.isClosed() ? "(closed)" : page.url();
    const extra = pageErrors.length ? `\npage errors:\n  ${pageErrors.join("\n  ")}` : "";
    if (error instanceof Error) {
      // Node prints `stack`, which holds the message as it was when the error was made.
      const where = `\n(on ${url}; screenshot e2e/screenshots/${name}.png)${extra}`;
      error.message += where;
      if (error.stack) error.stack += where;
    }
    throw error;
  } finally {
    if (!page.isClosed()) {
      await mkdir(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true }).catch(() => {});
    }
    await context.close();
  }
}

/** Copies a test's screenshot to docs/images/dashboard.png when E2E_UPDATE_SCREENSHOT=1. */
export async function updateReadmeScreenshot(name) {
  if (process.env.E2E_UPDATE_SCREENSHOT !== "1") return false;
  await mkdir(join(README_SCREENSHOT, ".."), { recursive: true });
  await copyFile(join(SCREENSHOTS, `${name}.png`), README_SCREENSHOT);
  return true;
}

/** The main navigation's link `name` (exact). */
export function navLink(page, name) {
  return page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true });
}

/** A heading (exact name). */
export function heading(page, name) {
  return page.getByRole("heading", { name, exact: true });
}

/** Signs in through the login page and waits for the signed-in layout. */
export async function signIn(page, username, password) {
  await page.goto("/login");
  await page.getByLabel("Username or e-mail", { exact: true }).fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("button", { name: "Log out", exact: true }).waitFor();
}

/**
 * Retries `check` (which throws or returns false while the page is not there yet) until it passes.
 * @template T
 * @param {() => Promise<T>} check
 * @returns {Promise<T>}
 */
export async function eventually(check, what, timeoutMs = STEP_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await check();
      if (value !== false) return value;
      last = undefined;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000} s: ${what}${last ? ` (${last.message ?? last})` : ""}`);
    }
    await sleep(100);
  }
}
