import { describe, expect, it, vi } from "vitest";
import {
  CardPaymentError,
  confirmCardPayment,
  confirmCardSetup,
  loadStripeJs,
  type StripeCardElement,
  type StripeClient,
} from "./stripe";
import { newIdempotencyKey } from "./subscriptions";

function scriptFor(url: string): HTMLScriptElement | null {
  return document.head.querySelector(`script[src="${url}"]`);
}

function client(result: Awaited<ReturnType<StripeClient["confirmCardSetup"]>>): StripeClient {
  return {
    elements: vi.fn(),
    confirmCardSetup: vi.fn(async () => result),
    confirmCardPayment: vi.fn(async () => ({ paymentIntent: { id: "pi_1", status: "succeeded" } })),
  } as unknown as StripeClient;
}

const card = () => ({ mount: vi.fn(), destroy: vi.fn(), on: vi.fn() }) as StripeCardElement;
const SECRET = "seti_1_secret_abc";

describe("loading Stripe.js", () => {
  it("answers window.Stripe at once when it is there", async () => {
    const factory = vi.fn();
    vi.stubGlobal("Stripe", factory);
    await expect(loadStripeJs("https://js.example.test/a/")).resolves.toBe(factory);
    expect(scriptFor("https://js.example.test/a/")).toBeNull();
  });

  it("adds one classic script for the URL and answers Stripe when it has loaded", async () => {
    const url = "http://127.0.0.1:8420/js.stripe.com/v3/";
    const first = loadStripeJs(url);
    const second = loadStripeJs(url);
    const script = scriptFor(url);
    expect(script).not.toBeNull();
    expect(script?.type).toBe("");
    expect(document.head.querySelectorAll(`script[src="${url}"]`)).toHaveLength(1);
    const factory = vi.fn();
    vi.stubGlobal("Stripe", factory);
    script?.dispatchEvent(new Event("load"));
    await expect(first).resolves.toBe(factory);
    await expect(second).resolves.toBe(factory);
    script?.remove();
  });

  it("fails naming the URL when the script cannot be loaded, and tries again next time", async () => {
    const url = "https://js.example.test/down/";
    const attempt = loadStripeJs(url);
    scriptFor(url)?.dispatchEvent(new Event("error"));
    await expect(attempt).rejects.toThrow(new CardPaymentError(`Stripe.js could not be loaded from ${url}.`));
    expect(scriptFor(url)).toBeNull();
    void loadStripeJs(url).catch(() => undefined);
    expect(scriptFor(url)).not.toBeNull();
    scriptFor(url)?.dispatchEvent(new Event("error"));
  });

  it("fails when the script defines no Stripe", async () => {
    const url = "https://js.example.test/other/";
    const attempt = loadStripeJs(url);
    scriptFor(url)?.dispatchEvent(new Event("load"));
    await expect(attempt).rejects.toThrow(`The script at ${url} did not provide Stripe.js.`);
  });
});

describe("saving a card with a SetupIntent", () => {
  it("confirms the intent with the mounted card and answers the saved payment method's id", async () => {
    const stripe = client({ setupIntent: { id: "seti_1", status: "succeeded", payment_method: "pm_real" } });
    const element = card();
    await expect(confirmCardSetup(stripe, element, SECRET)).resolves.toBe("pm_real");
    expect(stripe.confirmCardSetup).toHaveBeenCalledWith(SECRET, { payment_method: { card: element } });
  });

  it("reads an expanded payment method, and localstripe's answer with `error: null`", async () => {
    const expanded = client({ setupIntent: { id: "seti_1", status: "succeeded", payment_method: { id: "pm_x" } } });
    await expect(confirmCardSetup(expanded, card(), SECRET)).resolves.toBe("pm_x");
    const local = client({ error: null, setupIntent: { id: "seti_1", status: "succeeded", payment_method: "pm_l" } });
    await expect(confirmCardSetup(local, card(), SECRET)).resolves.toBe("pm_l");
  });

  it("throws Stripe's message for a refused card, and a message of its own for an answer without a card", async () => {
    const refused = client({ error: { message: "Your card was declined.", code: "card_declined" } });
    await expect(confirmCardSetup(refused, card(), SECRET)).rejects.toThrow(
      new CardPaymentError("Your card was declined."),
    );
    await expect(confirmCardSetup(client({ error: {} }), card(), SECRET)).rejects.toThrow("The card could not be saved.");
    await expect(confirmCardSetup(client(undefined), card(), SECRET)).rejects.toThrow("The card could not be saved.");
    const empty = client({ setupIntent: { id: "seti_1", status: "succeeded", payment_method: null } });
    await expect(confirmCardSetup(empty, card(), SECRET)).rejects.toThrow("The card could not be saved.");
  });
});

describe("confirming a payment", () => {
  it("confirms a payment with its client secret and throws Stripe's message on failure", async () => {
    const stripe = client(undefined);
    await confirmCardPayment(stripe, "pi_1_secret_x");
    expect(stripe.confirmCardPayment).toHaveBeenCalledWith("pi_1_secret_x");
    vi.mocked(stripe.confirmCardPayment).mockResolvedValueOnce({ error: { message: "Authentication failed." } });
    await expect(confirmCardPayment(stripe, "pi_1_secret_x")).rejects.toThrow("Authentication failed.");
  });
});

describe("idempotency keys", () => {
  it("are version 4 UUIDs, also without crypto.randomUUID (plain HTTP on another host)", () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(newIdempotencyKey()).toMatch(uuid);
    const real = globalThis.crypto;
    vi.stubGlobal("crypto", { getRandomValues: <T extends ArrayBufferView>(array: T) => real.getRandomValues(array) });
    const keys = new Set(Array.from({ length: 20 }, () => newIdempotencyKey()));
    expect(keys.size).toBe(20);
    for (const key of keys) expect(key).toMatch(uuid);
  });
});
