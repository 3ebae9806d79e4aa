import { useCallback, useEffect, useState } from "react";
import { ApiError } from "../api";

/** Seconds left until a wait (a 429's Retry-After) is over, ticking once a second. */
export function useCountdown(): [number, (seconds: number) => void] {
  const [until, setUntil] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    if (until === null) return;
    const timer = window.setInterval(() => {
      const current = Date.now();
      setNow(current);
      if (current >= until) setUntil(null);
    }, 1000);
    return () => window.clearInterval(timer);
  }, [until]);

  const start = useCallback((seconds: number) => {
    const current = Date.now();
    setNow(current);
    setUntil(current + seconds * 1000);
  }, []);

  const left = until === null ? 0 : Math.max(0, Math.ceil((until - now) / 1000));
  return [left, start];
}

/**
 * A form's 429 wait: the seconds left, and a function to hand each failed request's error to
 * (a 429 with Retry-After starts the wait; anything else is ignored).
 */
export function useRetryWait(): [number, (error: Error) => void] {
  const [left, start] = useCountdown();
  const noteError = useCallback(
    (error: Error) => {
      if (error instanceof ApiError && error.status === 429 && error.retryAfter !== null) start(error.retryAfter);
    },
    [start],
  );
  return [left, noteError];
}
