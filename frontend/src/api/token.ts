/**
 * The auth token, kept in localStorage['auth_token'] (the key the guide tells users to inspect).
 * Components follow it with useToken(); the reason of the last sign-out (the API's 401 message)
 * is kept so the login page can show it.
 */
import { useSyncExternalStore } from "react";

export const TOKEN_STORAGE_KEY = "auth_token";

type Listener = () => void;
const listeners = new Set<Listener>();
let signOutReason: string | null = null;

function notify(): void {
  for (const listener of listeners) listener();
}

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // storage disabled (private mode, sandboxed frame): behave as signed out
  }
}

export function getToken(): string | null {
  const value = storage()?.getItem(TOKEN_STORAGE_KEY) ?? null;
  return value && value.trim() !== "" ? value : null;
}

export function setToken(key: string): void {
  signOutReason = null;
  storage()?.setItem(TOKEN_STORAGE_KEY, key);
  notify();
}

/** Forget the token; `reason` is what the login page will show (e.g. the API's "Invalid token."). */
export function clearToken(reason: string | null = null): void {
  signOutReason = reason;
  storage()?.removeItem(TOKEN_STORAGE_KEY);
  notify();
}

export function getSignOutReason(): string | null {
  return signOutReason;
}

export function subscribeToken(listener: Listener): () => void {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => {
    if (event.key === TOKEN_STORAGE_KEY || event.key === null) listener();
  };
  window.addEventListener("storage", onStorage); // signed in or out in another tab
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", onStorage);
  };
}

export function useToken(): string | null {
  return useSyncExternalStore(subscribeToken, getToken, () => null);
}
