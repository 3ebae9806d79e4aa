import { pluralSeconds } from "../api";

/**
 * A form's primary submit button: disabled while its request runs (showing `pendingLabel`) and,
 * after a 429, while the wait lasts ("Wait 5 seconds"; `waitLeft` from useRetryWait).
 */
export function SubmitButton({
  label,
  pendingLabel,
  pending,
  waitLeft = 0,
}: {
  label: string;
  pendingLabel: string;
  pending: boolean;
  waitLeft?: number;
}) {
  return (
    <button type="submit" className="primary" disabled={pending || waitLeft > 0}>
      {pending ? pendingLabel : waitLeft > 0 ? `Wait ${pluralSeconds(waitLeft)}` : label}
    </button>
  );
}
