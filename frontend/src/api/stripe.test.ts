import { describe, expect, it, vi } from "vitest";
import {
  CardPaymentError,
  confirmCardPayment,
  createCardPaymentMethod,
  loadStripeJs,
  type StripeCardElement,
  type StripeClient,
} from "./stripe";
import { newIdempotencyKey } from "./subscriptions";

function scriptFor(url: string): HTMLScriptElement | null {
  return document.head.querySelector(`script[src="${url}"]`);
}

function client(result: Awaited<ReturnType<StripeClient["createPaymentMethod"]>>): StripeClient {
  return {
    elements: vi.fn(),
    createPaymentMethod: vi.fn(async () => result),
    confirmCardPayment: vi.fn(async () => ({ paymentIntent: { id: "pi_1", status: "succeeded" } })),
  } as unknown as StripeClient;
}

const card = (number?: string) =>
  ({ mount: vi.fn(), destroy: vi.fn(), on: vi.fn(), ...(number ? { value: { card: { number } } } : {}) }) as StripeCardElement;

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

describe("card payment methods", () => {
  it("answers the id of the payment method Stripe.js made", async () => {
    const stripe = client({ paymentMethod: { id: "pm_real" } });
    const element = card();
    await expect(createCardPaymentMethod(stripe, element)).resolves.toBe("pm_real");
    expect(stripe.createPaymentMethod).toHaveBeenCalledWith({ type: "card", card: element });
  });

  it("throws Stripe's message for a refused card", async () => {
    const stripe = client({ error: { message: "Your card number is invalid." } });
    await expect(createCardPaymentMethod(stripe, card())).rejects.toThrow("Your card number is invalid.");
  });

  it("uses Stripe's test payment methods for localstripe's test cards (its stand-in makes none)", async () => {
    await expect(createCardPaymentMethod(client(undefined), card("4242 4242 4242 4242"))).resolves.toBe("pm_card_visa");
    await expect(createCardPaymentMethod(client(undefined), card("4000000000000341"))).resolves.toBe(
      "pm_card_chargeCustomerFail",
    );
    await expect(createCardPaymentMethod(client(undefined), card("5555555555554444"))).rejects.toThrow(
      "use a test card such as 4242 4242 4242 4242",
    );
    await expect(createCardPaymentMethod(client(undefined), card())).rejects.toThrow("The card could not be used.");
  });

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
