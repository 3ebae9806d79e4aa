/**
 * Stripe.js, loaded from the URL that `GET meta/` gives (`stripe_js_url`: Stripe's own, or
 * localstripe's stand-in in development), behind the few typed calls the console makes. Only what
 * both Stripe.js and localstripe's stand-in offer is used: `Stripe(key)`, `elements().create("card")`,
 * `mount`, `on("change")`, `destroy`, `createPaymentMethod` and `confirmCardPayment(secret)`.
 */

export interface StripeJsError {
  message?: string;
  code?: string;
  type?: string;
}

/** Stripe.js passes `{complete, error}`; localstripe's stand-in passes nothing. */
export interface StripeCardChange {
  complete?: boolean;
  error?: StripeJsError;
}

export interface StripeCardElement {
  mount(target: HTMLElement): void;
  destroy(): void;
  on(event: "change", handler: (event?: StripeCardChange) => void): void;
}

export interface StripeElements {
  create(type: "card", options?: Record<string, unknown>): StripeCardElement;
}

export interface StripeClient {
  elements(): StripeElements;
  createPaymentMethod(data: {
    type: "card";
    card: StripeCardElement;
  }): Promise<{ paymentMethod?: { id: string }; error?: StripeJsError } | undefined>;
  confirmCardPayment(
    clientSecret: string,
  ): Promise<{ paymentIntent?: { id: string; status: string }; error?: StripeJsError } | undefined>;
}

export type StripeFactory = (publishableKey: string) => StripeClient;

declare global {
  interface Window {
    Stripe?: StripeFactory;
  }
}

/** Stripe.js could not be loaded, or a card step failed: the message is for the user. */
export class CardPaymentError extends Error {
  override name = "CardPaymentError";
}

const loading = new Map<string, Promise<StripeFactory>>();

/**
 * Loads Stripe.js from `url` once (a classic <script>, as localstripe's stand-in reads its own
 * address from `document.currentScript`), and answers the `Stripe` factory.
 */
export function loadStripeJs(url: string): Promise<StripeFactory> {
  if (window.Stripe) return Promise.resolve(window.Stripe);
  const pending = loading.get(url);
  if (pending) return pending;
  const promise = new Promise<StripeFactory>((resolve, reject) => {
    const script = document.createElement("script");
    script.src = url;
    script.async = true;
    const fail = (message: string) => {
      loading.delete(url);
      script.remove();
      reject(new CardPaymentError(message));
    };
    script.addEventListener("load", () => {
      if (window.Stripe) resolve(window.Stripe);
      else fail(`The script at ${url} did not provide Stripe.js.`);
    });
    script.addEventListener("error", () => fail(`Stripe.js could not be loaded from ${url}.`));
    document.head.appendChild(script);
  });
  loading.set(url, promise);
  return promise;
}

/**
 * Stripe's test payment methods for the test card numbers that localstripe knows: its stand-in of
 * Stripe.js cannot create a payment method (its `createPaymentMethod` answers nothing), while
 * localstripe's API (and Stripe's in test mode) accepts these ids. Development only: with real
 * Stripe.js `createPaymentMethod` always answers.
 */
export const LOCALSTRIPE_TEST_PAYMENT_METHODS: Readonly<Record<string, string>> = {
  "4242424242424242": "pm_card_visa",
  "4000000000000002": "pm_card_visa_chargeDeclined",
  "4000000000000341": "pm_card_chargeCustomerFail",
};

/** The card number typed into localstripe's stand-in element (plain inputs, no iframe). */
function localstripeCardNumber(card: StripeCardElement): string | null {
  const value = (card as { value?: { card?: { number?: unknown } } }).value;
  const number = value?.card?.number;
  return typeof number === "string" ? number.replace(/\s+/g, "") : null;
}

/** Creates a card payment method from the mounted element; answers its id or throws CardPaymentError. */
export async function createCardPaymentMethod(stripe: StripeClient, card: StripeCardElement): Promise<string> {
  const result = await stripe.createPaymentMethod({ type: "card", card });
  if (result?.error) throw new CardPaymentError(result.error.message ?? "The card could not be used.");
  if (result?.paymentMethod?.id) return result.paymentMethod.id;
  const number = localstripeCardNumber(card);
  const testMethod = number === null ? undefined : LOCALSTRIPE_TEST_PAYMENT_METHODS[number];
  if (testMethod) return testMethod;
  throw new CardPaymentError(
    number === null
      ? "The card could not be used."
      : "localstripe cannot use this card number: use a test card such as 4242 4242 4242 4242.",
  );
}

/** Completes a first payment that still needs the customer (3-D Secure); throws CardPaymentError. */
export async function confirmCardPayment(stripe: StripeClient, clientSecret: string): Promise<void> {
  const result = await stripe.confirmCardPayment(clientSecret);
  if (result?.error) throw new CardPaymentError(result.error.message ?? "The payment could not be confirmed.");
}
