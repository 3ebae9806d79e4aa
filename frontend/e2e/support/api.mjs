/** WiWebb's API called from Node, to set up what a test needs but does not test (fast, no browser). */

export class Api {
  /** @param {string} baseUrl */
  constructor(baseUrl) {
    this.baseUrl = baseUrl;
  }

  /**
   * @param {string} method
   * @param {string} path under /api/v1/
   * @param {{ body?: unknown, token?: string }} [options]
   */
  async call(method, path, { body, token } = {}) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = `Token ${token}`;
    const response = await fetch(`${this.baseUrl}/api/v1/${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} /api/v1/${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  /** @returns {Promise<string>} the token */
  async login(username, password) {
    return (await this.call("POST", "auth/login/", { body: { username, password } })).key;
  }

  createTenant(token, name) {
    return this.call("POST", "tenants/", { token, body: { name } });
  }

  /** @param {{ username: string, email: string, role: string, tenant?: number, password: string }} user */
  createUser(token, user) {
    return this.call("POST", "users/", { token, body: user });
  }

  /** Users whose username is exactly `username` (as the API's search finds them). */
  async findUser(token, username) {
    const page = await this.call("GET", `users/?search=${encodeURIComponent(username)}`, { token });
    return page.results.find((user) => user.username === username) ?? null;
  }
}

/**
 * Subscribes the user of `token` to the plan named `planName` with Stripe's test Visa card (a
 * payment method id that localstripe knows), as the console would after Stripe.js made the card.
 */
export async function subscribeWithTestCard(api, token, planName) {
  const plans = await api.call("GET", "subscriptions/plans/", { token });
  const plan = plans.find((candidate) => candidate.name === planName);
  if (!plan) throw new Error(`no plan named ${planName}`);
  return api.call("POST", "subscriptions/subscribe/", {
    token,
    body: { plan_id: plan.id, payment_method: "pm_card_visa" },
  });
}
