import { QueryClient } from "@tanstack/react-query";
import { ApiError, ApiUnreachableError } from "./api";

/**
 * Queries retry only what may pass on a second try (an unreachable API once, a 5xx twice), and an
 * unreachable API is thrown to the route's error boundary, which shows the page naming the URL.
 */
export function createQueryClient(options: { retry?: boolean } = {}): QueryClient {
  const retryEnabled = options.retry ?? true;
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failureCount, error) => {
          if (!retryEnabled) return false;
          if (error instanceof ApiUnreachableError) return failureCount < 1;
          if (error instanceof ApiError) return error.status >= 500 && failureCount < 2;
          return false;
        },
        throwOnError: (error) => error instanceof ApiUnreachableError,
        staleTime: 30_000,
      },
      mutations: { retry: false },
    },
  });
}
