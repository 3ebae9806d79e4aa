import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm, type FieldErrors, type Path, type UseFormRegisterReturn, type UseFormSetError } from "react-hook-form";
import { z } from "zod";
import { ApiError } from "../../api";
import { INTERVALS, type Plan, type PlanWrite, type PricingWrite } from "../../api/plans";
import { applyApiError } from "../../components/applyApiError";
import { FormAlert } from "../../components/FormAlert";
import { SelectField } from "../../components/SelectField";
import { TextField } from "../../components/TextField";
import styles from "./billing.module.css";
import { CheckboxField } from "../../components/CheckboxField";

const wholeOrEmpty = z
  .string()
  .trim()
  .refine((value) => value === "" || /^\d+$/.test(value), "Enter a whole number, or leave it empty for no limit.");
const amount = z
  .string()
  .trim()
  .regex(/^\d+(\.\d{1,2})?$/, "Enter an amount like 200.00.");
const currency = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{3}$/, "Enter a 3-letter currency code, like usd.");
const trialDays = z
  .string()
  .trim()
  .regex(/^\d+$/, "Enter a number of days (0 for no trial).");
const interval = z.enum(["day", "week", "month", "year"]);

const pricingSchema = z.object({ amount, currency, interval, trial_period_days: trialDays });
type PricingForm = z.infer<typeof pricingSchema>;

const planFields = {
  name: z.string().trim().min(1, "Enter the plan's name.").max(100, "Ensure this field has no more than 100 characters."),
  description: z.string(),
  default: z.boolean(),
  available: z.boolean(),
  requires_payment: z.boolean(),
  auto_renew: z.boolean(),
  daily_time_minutes: wholeOrEmpty,
  daily_data_mb: wholeOrEmpty,
};
const editSchema = z.object(planFields);
const createSchema = z.object({ ...planFields, ...pricingSchema.shape });
type EditForm = z.infer<typeof editSchema>;
type CreateForm = z.infer<typeof createSchema>;

const PLAN_KEYS = [
  "name",
  "description",
  "default",
  "available",
  "requires_payment",
  "auto_renew",
  "daily_time_minutes",
  "daily_data_mb",
] as const;
const PRICING_KEYS = ["amount", "currency", "interval", "trial_period_days"] as const;
const INTERVAL_OPTIONS = INTERVALS.map((value) => ({ value, label: value }));
const NEW_PRICING: PricingForm = { amount: "", currency: "usd", interval: "month", trial_period_days: "0" };

function limitOf(text: string): number | null {
  return text.trim() === "" ? null : Number(text);
}

function planBody(values: EditForm): Omit<PlanWrite, "pricings"> {
  return {
    name: values.name.trim(),
    description: values.description,
    default: values.default,
    available: values.available,
    requires_payment: values.requires_payment,
    auto_renew: values.auto_renew,
    daily_time_minutes: limitOf(values.daily_time_minutes),
    daily_data_mb: limitOf(values.daily_data_mb),
  };
}

function pricingBody(values: PricingForm): PricingWrite {
  return {
    amount: values.amount,
    currency: values.currency.toLowerCase(),
    interval: values.interval,
    trial_period_days: Number(values.trial_period_days),
  };
}

/**
 * The API's errors on a create: the plan's fields next to them, and the first pricing's (which
 * come as `{"pricings": [{"amount": [...]}]}`) next to the pricing fields.
 */
function placeCreateErrors(error: Error, setError: UseFormSetError<CreateForm>): string[] {
  const above = applyApiError(error, setError, [...PLAN_KEYS]);
  if (!(error instanceof ApiError)) return above;
  const body = error.body as { pricings?: unknown } | null;
  const first = Array.isArray(body?.pricings) ? (body.pricings[0] as Record<string, unknown> | undefined) : undefined;
  if (!first || typeof first !== "object") return above;
  let placed = false;
  for (const key of PRICING_KEYS) {
    const messages = first[key];
    if (Array.isArray(messages) && messages.length > 0) {
      setError(key as Path<CreateForm>, { type: "server", message: messages.map(String).join(" ") });
      placed = true;
    }
  }
  return placed ? above.filter((message) => !message.startsWith("pricings: ")) : above;
}

/** Binds fields of one form (a plan's, or a new plan's with its first price) for the field groups below. */
interface Binder<K extends string> {
  register: (name: K) => UseFormRegisterReturn;
  error: (name: K) => string | undefined;
}

function binder<T extends Record<string, unknown>, K extends keyof T & string>(
  register: (name: Path<T>) => UseFormRegisterReturn,
  errors: FieldErrors<T>,
): Binder<K> {
  return {
    register: (name) => register(name as unknown as Path<T>),
    error: (name) => {
      const message = (errors as Record<string, { message?: unknown } | undefined>)[name]?.message;
      return typeof message === "string" ? message : undefined;
    },
  };
}

function PlanFields({ field }: { field: Binder<keyof EditForm> }) {
  const register = field.register;
  const errors = Object.fromEntries(PLAN_KEYS.map((key) => [key, { message: field.error(key) }])) as Record<
    keyof EditForm,
    { message: string | undefined }
  >;
  return (
    <>
      <TextField label="Name" registration={register("name")} error={errors.name?.message} />
      <TextField label="Description" registration={register("description")} error={errors.description?.message} />
      <TextField
        label="Daily time (minutes)"
        hint="Empty: no limit."
        registration={register("daily_time_minutes")}
        error={errors.daily_time_minutes?.message}
      />
      <TextField
        label="Daily data (MB)"
        hint="Empty: no limit."
        registration={register("daily_data_mb")}
        error={errors.daily_data_mb?.message}
      />
      <CheckboxField
        label="Requires payment"
        hint="Off for a Free plan: subscribed at once, without a card or Stripe."
        registration={register("requires_payment")}
        error={errors.requires_payment?.message}
      />
      <CheckboxField
        label="Renews automatically"
        hint="Off for a pass that ends after one period."
        registration={register("auto_renew")}
        error={errors.auto_renew?.message}
      />
      <CheckboxField
        label="On sale"
        registration={register("available")}
        error={errors.available?.message}
      />
      <CheckboxField
        label="Default plan"
        hint="Its limits apply to users without a subscription."
        registration={register("default")}
        error={errors.default?.message}
      />
    </>
  );
}

function PricingFields({ field }: { field: Binder<keyof PricingForm> }) {
  const register = field.register;
  const errors = Object.fromEntries(PRICING_KEYS.map((key) => [key, { message: field.error(key) }])) as Record<
    keyof PricingForm,
    { message: string | undefined }
  >;
  return (
    <>
      <TextField label="Amount" hint="In the currency's main unit, e.g. 200.00." registration={register("amount")} error={errors.amount?.message} />
      <TextField label="Currency" registration={register("currency")} error={errors.currency?.message} />
      <SelectField label="Interval" options={INTERVAL_OPTIONS} registration={register("interval")} error={errors.interval?.message} />
      <TextField
        label="Trial days"
        registration={register("trial_period_days")}
        error={errors.trial_period_days?.message}
      />
    </>
  );
}

/** A new plan with its first price. */
export function CreatePlanForm({
  onSubmit,
  pending,
}: {
  onSubmit: (body: PlanWrite) => Promise<unknown>;
  pending: boolean;
}) {
  const [messages, setMessages] = useState<string[]>([]);
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors },
  } = useForm<CreateForm>({
    resolver: zodResolver(createSchema),
    defaultValues: {
      name: "",
      description: "",
      default: false,
      available: true,
      requires_payment: true,
      auto_renew: true,
      daily_time_minutes: "",
      daily_data_mb: "",
      ...NEW_PRICING,
    },
  });
  const submit = handleSubmit(async (values) => {
    setMessages([]);
    try {
      await onSubmit({ ...planBody(values), pricings: [pricingBody(values)] });
      reset();
    } catch (error) {
      setMessages(placeCreateErrors(error as Error, setError));
    }
  });
  return (
    <form className="form" aria-labelledby="new-plan-title" onSubmit={submit} noValidate>
      <h2 id="new-plan-title">New plan</h2>
      <FormAlert messages={messages} />
      <PlanFields field={binder<CreateForm, keyof EditForm>(register, errors)} />
      <fieldset className={styles.stack}>
        <legend>First price</legend>
        <PricingFields field={binder<CreateForm, keyof PricingForm>(register, errors)} />
      </fieldset>
      <div className="actions">
        <button type="submit" className="primary" disabled={pending}>
          Create plan
        </button>
      </div>
    </form>
  );
}

/** A plan's own fields (prices are added and retired on their own). */
export function EditPlanForm({
  plan,
  onSubmit,
  onClose,
  pending,
}: {
  plan: Plan;
  onSubmit: (changes: Omit<PlanWrite, "pricings">) => Promise<unknown>;
  onClose: () => void;
  pending: boolean;
}) {
  const [messages, setMessages] = useState<string[]>([]);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors },
  } = useForm<EditForm>({
    resolver: zodResolver(editSchema),
    defaultValues: {
      name: plan.name,
      description: plan.description,
      default: plan.default,
      available: plan.available,
      requires_payment: plan.requires_payment,
      auto_renew: plan.auto_renew,
      daily_time_minutes: plan.daily_time_minutes === null ? "" : String(plan.daily_time_minutes),
      daily_data_mb: plan.daily_data_mb === null ? "" : String(plan.daily_data_mb),
    },
  });
  const submit = handleSubmit(async (values) => {
    setMessages([]);
    try {
      await onSubmit(planBody(values));
    } catch (error) {
      setMessages(applyApiError(error as Error, setError, [...PLAN_KEYS]));
    }
  });
  return (
    <form className="form" aria-labelledby="edit-plan-title" onSubmit={submit} noValidate>
      <h2 id="edit-plan-title">Edit {plan.name}</h2>
      <FormAlert messages={messages} />
      <PlanFields field={binder<EditForm, keyof EditForm>(register, errors)} />
      <div className="actions">
        <button type="submit" className="primary" disabled={pending}>
          Save plan
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}

/** Another price for a plan. */
export function AddPricingForm({
  plan,
  onSubmit,
  pending,
}: {
  plan: Plan;
  onSubmit: (body: PricingWrite) => Promise<unknown>;
  pending: boolean;
}) {
  const [messages, setMessages] = useState<string[]>([]);
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors },
  } = useForm<PricingForm>({ resolver: zodResolver(pricingSchema), defaultValues: NEW_PRICING });
  const submit = handleSubmit(async (values) => {
    setMessages([]);
    try {
      await onSubmit(pricingBody(values));
      reset();
    } catch (error) {
      setMessages(applyApiError(error as Error, setError, [...PRICING_KEYS]));
    }
  });
  return (
    <form className="form" aria-labelledby="add-pricing-title" onSubmit={submit} noValidate>
      <h3 id="add-pricing-title">Add a price to {plan.name}</h3>
      <FormAlert messages={messages} />
      <PricingFields field={binder<PricingForm, keyof PricingForm>(register, errors)} />
      <div className="actions">
        <button type="submit" className="primary" disabled={pending}>
          Add price
        </button>
      </div>
    </form>
  );
}
