import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { ApiError, getMeta, queryKeys } from "../../api";
import type { Plan, Pricing } from "../../api/plans";
import { formatPricing } from "../../api/plans";
import {
  CardPaymentError,
  confirmCardPayment,
  confirmCardSetup,
  loadStripeJs,
  type StripeCardElement,
  type StripeClient,
} from "../../api/stripe";
import {
  createSetupIntent,
  newIdempotencyKey,
  subscribe,
  subscriptionKeys,
  type SubscribeAnswer,
} from "../../api/subscriptions";
import { FormAlert } from "../../components/FormAlert";
import { Loading, QueryError } from "../../components/QueryStatus";
import styles from "./billing.module.css";

interface MountedCard {
  client: StripeClient;
  card: StripeCardElement;
}

/** The first payment was refused or not confirmed after the subscription was made (it is `incomplete`). */
class ConfirmationFailed extends Error {}

function messagesOf(error: Error): string[] {
  if (error instanceof ApiError) return error.formMessages;
  return [error.message];
}

/**
 * Collects a card with Stripe.js for a paid plan: a card Element; on "Pay and subscribe" a
 * SetupIntent from the API (`setup-intent/`) that Stripe.js confirms with the card, saving it;
 * then `subscribe/` with the saved card's payment method (under an Idempotency-Key), and the
 * 3-D Secure step when the answer carries a `client_secret`.
 */
export function CardCheckout({
  plan,
  pricing,
  onSubscribed,
  onClose,
}: {
  plan: Plan;
  pricing: Pricing;
  onSubscribed: (answer: SubscribeAnswer) => void;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const meta = useQuery({ queryKey: queryKeys.meta, queryFn: ({ signal }) => getMeta(signal) });
  const headingRef = useRef<HTMLHeadingElement>(null);
  const mountRef = useRef<HTMLDivElement>(null);
  const [mounted, setMounted] = useState<MountedCard | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [cardError, setCardError] = useState<string | null>(null);
  const [messages, setMessages] = useState<string[]>([]);
  const ids = useId();
  const publicKey = meta.data?.stripe_public_key || null;
  const scriptUrl = meta.data?.stripe_js_url || null;

  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  useEffect(() => {
    const target = mountRef.current;
    if (!publicKey || !scriptUrl || !target) return;
    let cancelled = false;
    let card: StripeCardElement | null = null;
    setLoadError(null);
    loadStripeJs(scriptUrl)
      .then((Stripe) => {
        if (cancelled) return;
        const client = Stripe(publicKey);
        card = client.elements().create("card");
        card.mount(target);
        card.on("change", (event) => setCardError(event?.error?.message ?? null));
        setMounted({ client, card });
      })
      .catch((error: unknown) => {
        if (!cancelled) setLoadError(error instanceof Error ? error.message : String(error));
      });
    return () => {
      cancelled = true;
      card?.destroy();
      setMounted(null);
    };
  }, [publicKey, scriptUrl]);

  const pay = useMutation({
    mutationFn: async (): Promise<SubscribeAnswer> => {
      if (!mounted) throw new CardPaymentError("The card form is not ready yet.");
      const setup = await createSetupIntent();
      const paymentMethod = await confirmCardSetup(mounted.client, mounted.card, setup.client_secret);
      const answer = await subscribe({ pricing_id: pricing.id, payment_method: paymentMethod }, newIdempotencyKey());
      if (answer.client_secret) {
        try {
          await confirmCardPayment(mounted.client, answer.client_secret);
        } catch (error) {
          throw new ConfirmationFailed(
            `${error instanceof Error ? error.message : String(error)} The subscription waits for its first payment.`,
          );
        }
      }
      return answer;
    },
    onSuccess: (answer) => {
      void queryClient.invalidateQueries({ queryKey: subscriptionKeys.all });
      onSubscribed(answer);
    },
    onError: (error) => {
      if (error instanceof ConfirmationFailed) void queryClient.invalidateQueries({ queryKey: subscriptionKeys.all });
      setMessages(messagesOf(error));
    },
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setMessages([]);
    pay.mutate();
  };

  const titleId = `${ids}-title`;
  const cardLabelId = `${ids}-card`;
  const cardErrorId = `${ids}-card-error`;
  const cardHintId = `${ids}-card-hint`;
  const configured = Boolean(publicKey && scriptUrl);

  return (
    <form className={`form ${styles.checkout}`} aria-labelledby={titleId} onSubmit={onSubmit} noValidate>
      <h2 id={titleId} ref={headingRef} tabIndex={-1}>
        Subscribe to {plan.name}
      </h2>
      <p>
        {formatPricing(pricing)}
        {pricing.trial_period_days > 0 && `, after a ${pricing.trial_period_days}-day free trial`}
        {plan.auto_renew ? ", renewed until you cancel." : ", for one period."}
      </p>
      <FormAlert messages={messages} />
      {meta.isPending && <Loading label="Loading the payment settings…" />}
      {meta.isError && <QueryError title="The payment settings could not be loaded." error={meta.error} />}
      {meta.data && !configured && (
        <FormAlert messages={["Card payments are not set up on this server (it gives no Stripe public key)."]} />
      )}
      {loadError && <FormAlert messages={[loadError]} />}
      {configured && (
        <div className="field">
          <span id={cardLabelId} className="label">
            Card
          </span>
          {publicKey?.startsWith("pk_test_") && (
            <p id={cardHintId} className="field-hint">
              Test mode: card 4242 4242 4242 4242, any future expiry date, any CVC.
            </p>
          )}
          <div
            ref={mountRef}
            role="group"
            aria-labelledby={cardLabelId}
            aria-describedby={[publicKey?.startsWith("pk_test_") ? cardHintId : null, cardError ? cardErrorId : null]
              .filter(Boolean)
              .join(" ") || undefined}
            className={styles.cardElement}
          />
          {!mounted && !loadError && <Loading label="Loading the card form…" />}
          {cardError && (
            <p id={cardErrorId} className="field-error">
              {cardError}
            </p>
          )}
        </div>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={!mounted || pay.isPending}>
          {pay.isPending ? "Paying…" : "Pay and subscribe"}
        </button>
        <button type="button" onClick={onClose} disabled={pay.isPending}>
          Close
        </button>
      </div>
    </form>
  );
}
