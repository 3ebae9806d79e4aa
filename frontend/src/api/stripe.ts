/**
 * Stripe.js, loaded from the URL that `GET meta/` gives (`stripe_js_url`: Stripe's own, or
 * localstripe's stand-in in development), behind the few typed calls the console makes. Only what
 * both Stripe.js and localstripe's stand-in offer is used: `Stripe(key)`, `elements().create("card")`,
 * `mount`, `on("change")`, `destroy`, `confirmCardSetup(secret, {payment_method: {card}})` and
 * `confirmCardPayment(secret)`.
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

/** A confirmed SetupIntent: `payment_method` is the saved card's id (an object only when expanded). */
export interface StripeSetupIntent {
  id: string;
  status: string;
  payment_method?: string | { id: string } | null;
}

export interface StripeClient {
  elements(): StripeElements;
  /** Stripe.js answers `{setupIntent}` or `{error}`; localstripe's stand-in also `{error: null, setupIntent}`. */
  confirmCardSetup(
    clientSecret: string,
    data: { payment_method: { card: StripeCardElement } },
  ): Promise<{ setupIntent?: StripeSetupIntent; error?: StripeJsError | null } | undefined>;
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
 * Saves the card typed into the mounted element by confirming the SetupIntent whose
 * `clientSecret` the API gave (`subscriptions/setup-intent/`), and answers the saved card's
 * payment method id; throws CardPaymentError with Stripe's message when the card is refused.
 */
export async function confirmCardSetup(
  stripe: StripeClient,
  card: StripeCardElement,
  clientSecret: string,
): Promise<string> {
  const result = await stripe.confirmCardSetup(clientSecret, { payment_method: { card } });
  if (result?.error) throw new CardPaymentError(result.error.message ?? "The card could not be saved.");
  const method = result?.setupIntent?.payment_method;
  const id = typeof method === "string" ? method : method?.id;
  if (!id) throw new CardPaymentError("The card could not be saved.");
  return id;
}

/** Completes a first payment that still needs the customer (3-D Secure); throws CardPaymentError. */
export async function confirmCardPayment(stripe: StripeClient, clientSecret: string): Promise<void> {
  const result = await stripe.confirmCardPayment(clientSecret);
  if (result?.error) throw new CardPaymentError(result.error.message ?? "The payment could not be confirmed.");
}
