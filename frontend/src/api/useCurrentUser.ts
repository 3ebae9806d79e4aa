import { useQuery } from "@tanstack/react-query";
import { getCurrentUser, queryKeys } from "./auth";

/** The signed-in user (`auth/user/`), shared by every page through the query cache. */
export function useCurrentUser() {
  return useQuery({ queryKey: queryKeys.currentUser, queryFn: ({ signal }) => getCurrentUser(signal) });
}
