/**
 * Accessibility checks run inside the page: axe-core (the WCAG 2 A and AA rules), sideways overflow
 * at a phone's width, whether the main navigation can be reached there, and which control has the
 * keyboard focus.
 */
import { readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { SCREENSHOTS } from "./paths.mjs";

// Evaluated rather than added as a <script>: the console's Content-Security-Policy refuses inline
// scripts, and the DevTools protocol's evaluation is outside its reach.
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** The impacts that fail a check; the others are only reported. */
export const FAILING_IMPACTS = ["serious", "critical"];

/**
 * @typedef {{ id: string, impact: string | null, help: string, helpUrl: string,
 *   nodes: { target: string, summary: string }[] }} Violation
 */

/**
 * axe-core's WCAG 2 A and AA violations on the page as it is now (injected on first use per document).
 * @param {import("playwright-core").Page} page
 * @returns {Promise<Violation[]>}
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    // @ts-expect-error injected above
    const result = await window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa"], resultTypes: ["violations"] });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? null,
      help: violation.help,
      helpUrl: violation.helpUrl,
      nodes: violation.nodes.map((node) => ({
        target: node.target.map((part) => (Array.isArray(part) ? part.join(" >> ") : part)).join(" "),
        summary: (node.failureSummary ?? "").replace(/\s+/g, " ").trim(),
      })),
    }));
  });
}

/** One line per violation and one per element it names. @param {Violation[]} violations */
export function describeViolations(violations) {
  return violations
    .map(
      (violation) =>
        `[${violation.impact}] ${violation.id}: ${violation.help} (${violation.helpUrl})\n` +
        violation.nodes.map((node) => `    ${node.target}  — ${node.summary}`).join("\n"),
    )
    .join("\n");
}

/** How far the document is wider than the window (0 when it does not scroll sideways). */
export function sidewaysOverflow(page) {
  return page.evaluate(() => {
    const root = document.documentElement;
    return Math.max(0, root.scrollWidth - root.clientWidth);
  });
}

/** The elements sticking out past the right edge of the window (for a failure's message). */
export function elementsPastTheEdge(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out = [];
    for (const element of document.body.querySelectorAll("*")) {
      const box = element.getBoundingClientRect();
      if (box.right <= width + 1 || box.width === 0) continue;
      // Only the outermost: skip an element whose parent already sticks out.
      const parent = element.parentElement?.getBoundingClientRect();
      if (parent && parent.right > width + 1) continue;
      const name = element.tagName.toLowerCase();
      const id = element.id ? `#${element.id}` : "";
      const classNames = typeof element.className === "string" ? element.className.trim().split(/\s+/) : [];
      const classes = classNames.filter(Boolean).map((name) => `.${name}`).join("");
      out.push(`${name}${id}${classes} (right edge at ${Math.round(box.right)} px)`);
      if (out.length >= 5) break;
    }
    return out;
  });
}

/**
 * The main navigation's links that cannot be seen inside the window's width, after opening its menu
 * button (a button in the page's header with aria-expanded="false") when there is one and some are
 * hidden. Empty when every link can be reached.
 * @param {import("playwright-core").Page} page
 */
export async function unreachableNavLinks(page) {
  const nav = page.getByRole("navigation", { name: "Main" });
  const hidden = async () => {
    const width = await page.evaluate(() => document.documentElement.clientWidth);
    const out = [];
    for (const link of await nav.getByRole("link").all()) {
      const box = (await link.isVisible()) ? await link.boundingBox() : null;
      if (!box || box.x < 0 || box.x + box.width > width + 1) out.push((await link.textContent())?.trim() ?? "?");
    }
    return out;
  };
  const before = await hidden();
  if (before.length === 0) return [];
  const menuButton = page.locator("header button[aria-expanded='false']").first();
  if ((await menuButton.count()) === 0 || !(await menuButton.isVisible())) return before;
  await menuButton.click();
  await page.locator("header button[aria-expanded='true']").first().waitFor();
  return hidden();
}

/**
 * The element with the keyboard focus: its tag, its name (its label, aria-label or text) and whether
 * it sits inside `within` (a CSS selector), or null when nothing has it.
 * @param {import("playwright-core").Page} page
 * @param {string} [within]
 */
export function focused(page, within) {
  return page.evaluate((selector) => {
    const element = document.activeElement;
    if (!element || element === document.body) return null;
    const labelled = /** @type {HTMLInputElement} */ (element).labels?.[0]?.textContent;
    const name = (labelled ?? element.getAttribute("aria-label") ?? element.textContent ?? "").trim();
    return {
      tag: element.tagName.toLowerCase(),
      id: element.id,
      name,
      inside: selector ? element.closest(selector) !== null : false,
    };
  }, within ?? "");
}

/** Saves screenshots/<name>.png of the page as it is (a failing check's picture). */
export async function screenshot(page, name) {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true }).catch(() => {});
  return `e2e/screenshots/${name}.png`;
}
