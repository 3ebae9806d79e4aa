/** The output of `wiwebb serve`, kept in memory so tests can wait for what it writes (mails). */
import { setTimeout as sleep } from "node:timers/promises";

export class ServerLog {
  constructor() {
    this.text = "";
  }

  /** @param {string} chunk */
  append(chunk) {
    this.text += chunk;
  }

  /**
   * The link of the newest password-reset mail to `email` (EMAIL_BACKEND=console writes whole mails
   * to the log), waiting for the mail worker to write it.
   * @param {string} email
   * @param {number} [after] only mails written after this offset of the log (`this.text.length`)
   */
  async resetLink(email, after = 0, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const link = this.#findResetLink(email, after);
      if (link) return link;
      if (Date.now() > deadline) {
        throw new Error(`no reset mail to ${email} in the server's log within ${timeoutMs / 1000} s`);
      }
      await sleep(100);
    }
  }

  #findResetLink(email, after) {
    const mails = this.text.slice(after).split("mail (console backend, not sent)").slice(1);
    const to = new RegExp(`^To: .*${email.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "mi");
    const link = /https?:\/\/\S+\/reset-password\/[^/\s]+\/[^/\s]+\//;
    for (const mail of mails.reverse()) {
      if (to.test(mail)) return mail.match(link)?.[0] ?? null;
    }
    return null;
  }
}
