export * from "./auth";
export * from "./client";
export * from "./config";
export * from "./errors";
export * from "./permissions";
export * from "./token";
export * from "./types";
export * from "./useCurrentUser";
