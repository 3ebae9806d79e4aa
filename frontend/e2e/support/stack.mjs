/**
 * The live stack the end-to-end tests run against, started once per run and torn down at the end
 * (also when a step fails or the run is interrupted):
 *
 * - a fresh PostgreSQL database (random name, created with psql, dropped at the end);
 * - localstripe on a free port (`--from-scratch`: empty), with its webhooks pointed at WiWebb;
 * - WiWebb migrated, the default plans seeded, a superadmin, then `wiwebb serve` on a free port,
 *   serving the built console (frontend/dist) at `/`, mail written to its log (EMAIL_BACKEND=console),
 *   throttling off, reset links pointing at its own address.
 *
 * Each `wiwebb` command runs in a temporary folder holding a copy of development.ini, with an
 * environment cleaned of WiWebb's settings (as the Python tests do), so nothing of the developer's
 * .env or var/ is read or written.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { FRONTEND, LOGS, PROJECT, VENV_BIN } from "./paths.mjs";
import { ServerLog } from "./serverLog.mjs";

const STRIPE_SECRET_KEY = "sk_test_wiwebb_e2e"; // localstripe takes any key starting with sk_
const STRIPE_PUBLIC_KEY = "pk_test_wiwebb_e2e";
const WEBHOOK_SECRET = "whsec_wiwebb_e2e";
const STARTUP_TIMEOUT_MS = 30_000;

/** Where PostgreSQL is: the Python tests' variable, in SQLAlchemy's or libpq's URL form. */
export function postgresServer() {
  const raw = process.env.WIWEBB_TEST_POSTGRES_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
  const url = new URL(raw.replace(/^postgresql\+\w+:/, "postgresql:"));
  return {
    host: url.hostname || "127.0.0.1",
    port: url.port || "5432",
    user: decodeURIComponent(url.username || "postgres"),
    password: decodeURIComponent(url.password || ""),
    maintenanceDb: url.pathname.replace(/^\//, "") || "postgres",
  };
}

/** Runs SQL with psql on the maintenance database; returns null when it worked, else the error. */
export function psql(sql) {
  const pg = postgresServer();
  const result = spawnSync(
    "psql",
    ["-h", pg.host, "-p", pg.port, "-U", pg.user, "-d", pg.maintenanceDb, "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
    { env: { ...process.env, PGPASSWORD: pg.password, PGCONNECT_TIMEOUT: "5" }, encoding: "utf8", timeout: 30_000 },
  );
  if (result.error) return result.error.message;
  return result.status === 0 ? null : (result.stderr || result.stdout || `psql exited with ${result.status}`).trim();
}

/** A port nobody listens on right now (another process may still take it before we bind it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/** Names WiWebb reads as settings: dropped from the inherited environment so only ours apply. */
function isWiwebbSetting(name) {
  return (
    /^(DATABASE|POSTGRES|PG|STRIPE|EMAIL|THROTTLE|WIWEBB_|ARGON2_|CORS_|CLEANUP_|SQL_|LOCALSTRIPE)/.test(name) ||
    ["SECRET_KEY", "PORT", "HOST", "FRONTEND_URL", "REDIS_URL", "TRUSTED_PROXIES", "TOKEN_TTL", "REGISTRATION_OPEN",
      "PASSWORD_RESET_TIMEOUT", "DEFAULT_FROM_EMAIL", "MAIL_MAX_ATTEMPTS", "USE_LOCALSTRIPE", "LOG_LEVEL", "DEBUG",
      "CONSOLE_DIR", "PYTHONWARNINGS"].includes(name)
  );
}

/** Wait for `check` to return a truthy value, polling every `every` ms. */
async function until(check, what, timeoutMs = STARTUP_TIMEOUT_MS, every = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(every);
  }
}

async function answers(url, init) {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(2000) });
    return response;
  } catch {
    return null;
  }
}

/** Stops a child: SIGTERM, then SIGKILL if it has not exited in `graceMs`. */
async function stopProcess(child, graceMs = 10_000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

export class Stack {
  /** @param {string} [name] names its logs: logs/<name>-server.log, logs/<name>-localstripe.log */
  constructor(name = "e2e") {
    this.name = name;
    /** @type {Array<{ what: string, run: () => Promise<void> | void, sync?: () => void }>} */
    this.cleanups = [];
    this.adminUsername = "admin";
    this.adminEmail = "admin@wiwebb.test";
    this.adminPassword = `e2e-${randomBytes(9).toString("base64url")}`;
    /** @type {string} */ this.baseUrl = "";
    /** @type {ServerLog} */ this.serverLog = new ServerLog();
    /** @type {string} */ this.folder = "";
    /** @type {Record<string, string>} */ this.env = {};
    this.stopped = false;
    /** @type {string[]} how long each step of the start took */
    this.timings = [];
    this.onSignal = (signal) => {
      this.stopSync();
      process.exit(signal === "SIGINT" ? 130 : 143);
    };
  }

  /** Start everything; on failure, stop what was started and throw. */
  async start() {
    process.once("SIGINT", this.onSignal);
    process.once("SIGTERM", this.onSignal);
    try {
      await this.#start();
    } catch (error) {
      await this.stop();
      throw error;
    }
    return this;
  }

  async #start() {
    await mkdir(LOGS, { recursive: true });
    this.folder = await mkdtemp(join(tmpdir(), "wiwebb-e2e-"));
    this.#onStop("remove the temporary folder", () => rm(this.folder, { recursive: true, force: true }));
    await copyFile(join(PROJECT, "development.ini"), join(this.folder, "development.ini"));

    const database = `wiwebb_e2e_${process.pid}_${randomBytes(4).toString("hex")}`;
    const created = await this.#step("createdb", () => psql(`CREATE DATABASE "${database}"`));
    if (created) throw new Error(`could not create the PostgreSQL database: ${created}`);
    const drop = () => {
      const error = psql(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      if (error) console.error(`e2e: could not drop database ${database}: ${error}`);
    };
    this.#onStop(`drop database ${database}`, drop, drop);

    const localstripe = await this.#step("localstripe", () => this.#startLocalstripe());
    const port = await freePort();
    this.baseUrl = `http://127.0.0.1:${port}`;
    const pg = postgresServer();
    const credentials = encodeURIComponent(pg.user) + (pg.password ? `:${encodeURIComponent(pg.password)}` : "");
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !isWiwebbSetting(name)));
    this.env = {
      ...inherited,
      DATABASE_URL: `postgresql+psycopg2://${credentials}@${pg.host}:${pg.port}/${database}`,
      SECRET_KEY: randomBytes(32).toString("hex"),
      HOST: "127.0.0.1",
      PORT: String(port),
      FRONTEND_URL: this.baseUrl,
      CONSOLE_DIR: join(FRONTEND, "dist"),
      EMAIL_BACKEND: "console",
      THROTTLE_RATES: "login=off,anon=off,user=off,failed_login=off",
      USE_LOCALSTRIPE: "true",
      LOCALSTRIPE_URL: localstripe,
      STRIPE_SECRET_KEY,
      STRIPE_PUBLIC_KEY,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      CLEANUP_INTERVAL: "0",
      LOG_LEVEL: "INFO",
      // Cheap hashing: the tests log in often; the production parameters have tests of their own.
      ARGON2_TIME_COST: "1",
      ARGON2_MEMORY_COST: "8",
      ARGON2_PARALLELISM: "1",
      WIWEBB_SUPERUSER_USERNAME: this.adminUsername,
      WIWEBB_SUPERUSER_EMAIL: this.adminEmail,
      WIWEBB_SUPERUSER_PASSWORD: this.adminPassword,
    };

    await this.#step("migrate", () => this.#wiwebb("migrate"));
    // The server starts while the plans and the superadmin are made (each command is a Python start).
    await this.#step("seed-plans, ensure-superuser and serve", () =>
      Promise.all([this.#wiwebb("seed-plans"), this.#wiwebb("ensure-superuser"), this.#serve()]),
    );

    const hook = new URLSearchParams({ url: `${this.baseUrl}/api/v1/payments/webhook/`, secret: WEBHOOK_SECRET });
    const registered = await fetch(`${localstripe}/_config/webhooks/wiwebb`, { method: "POST", body: hook });
    if (!registered.ok) throw new Error(`localstripe refused the webhook registration: ${registered.status}`);
  }

  /** Runs one step of the start, noting how long it took (in `timings`, for the run's log). */
  async #step(name, run) {
    const started = Date.now();
    const result = await run();
    this.timings.push(`${name} ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  }

  async #startLocalstripe() {
    const log = join(LOGS, `${this.name}-localstripe.log`);
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const child = spawn(join(VENV_BIN, "localstripe"), ["--port", String(port), "--from-scratch"], {
        cwd: this.folder,
        env: { ...process.env, TMPDIR: this.folder },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const out = createWriteStream(log, { flags: attempt === 1 ? "w" : "a" });
      child.stdout.pipe(out);
      child.stderr.pipe(out);
      this.#onStop("stop localstripe", () => stopProcess(child), () => child.kill("SIGKILL"));
      const url = `http://127.0.0.1:${port}`;
      const ready = await until(async () => {
        if (child.exitCode !== null) return "exited";
        const response = await answers(`${url}/v1/balance`, {
          headers: { Authorization: `Bearer ${STRIPE_SECRET_KEY}` },
        });
        return response?.status === 200 ? "ready" : null;
      }, "localstripe to answer");
      if (ready === "ready") return url;
      if (attempt >= 3) throw new Error(`localstripe did not start; see ${log}`);
    }
  }

  /** Run one `wiwebb` command to completion; throws with its output when it fails. */
  #wiwebb(...args) {
    return new Promise((resolve, reject) => {
      const child = spawn(join(VENV_BIN, "wiwebb"), ["-c", "development.ini", ...args], {
        cwd: this.folder,
        env: this.env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      this.#onStop(`stop wiwebb ${args[0]}`, () => stopProcess(child), () => child.kill("SIGKILL"));
      let output = "";
      child.stdout.on("data", (chunk) => (output += chunk));
      child.stderr.on("data", (chunk) => (output += chunk));
      child.on("error", reject);
      child.on("exit", (code) =>
        code === 0 ? resolve(output) : reject(new Error(`wiwebb ${args.join(" ")} failed (${code}):\n${output}`)),
      );
    });
  }

  async #serve() {
    const child = spawn(join(VENV_BIN, "wiwebb"), ["-c", "development.ini", "serve"], {
      cwd: this.folder,
      env: this.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out = createWriteStream(join(LOGS, `${this.name}-server.log`), { flags: "w" });
    for (const stream of [child.stdout, child.stderr]) {
      stream.on("data", (chunk) => this.serverLog.append(chunk.toString("utf8")));
      stream.pipe(out);
    }
    this.#onStop("stop wiwebb serve", () => stopProcess(child), () => child.kill("SIGKILL"));
    await until(async () => {
      if (child.exitCode !== null) throw new Error(`wiwebb serve exited (${child.exitCode}):\n${this.serverLog.text}`);
      return (await answers(`${this.baseUrl}/api/v1/health/`))?.ok;
    }, "wiwebb serve to answer /api/v1/health/");
    const page = await fetch(`${this.baseUrl}/`);
    const type = page.headers.get("Content-Type") ?? "";
    if (!page.ok || !type.includes("text/html")) {
      throw new Error(
        `WiWebb does not serve the console at / (${page.status} ${type}); CONSOLE_DIR=${this.env.CONSOLE_DIR}`,
      );
    }
  }

  #onStop(what, run, sync) {
    this.cleanups.push({ what, run, sync });
  }

  /** Undo everything, newest first; every step runs even when an earlier one fails. */
  async stop() {
    if (this.stopped) return;
    this.stopped = true;
    process.removeListener("SIGINT", this.onSignal);
    process.removeListener("SIGTERM", this.onSignal);
    for (const cleanup of this.cleanups.reverse()) {
      try {
        await cleanup.run();
      } catch (error) {
        console.error(`e2e: could not ${cleanup.what}: ${error}`);
      }
    }
  }

  /** The same, synchronously (on SIGINT/SIGTERM, when awaiting is no longer possible). */
  stopSync() {
    if (this.stopped) return;
    this.stopped = true;
    for (const cleanup of this.cleanups.reverse()) {
      try {
        cleanup.sync?.();
      } catch {
        // best effort
      }
    }
    if (this.folder && existsSync(this.folder)) spawnSync("rm", ["-rf", this.folder]);
  }
}
