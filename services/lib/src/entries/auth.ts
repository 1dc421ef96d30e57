/** Access tokens (sign, verify, roles) and the user auth state every guard checks. */
export * from "../auth/access-token";
export * from "../auth/user-auth-state";
