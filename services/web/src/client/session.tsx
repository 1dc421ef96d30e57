/**
 * Who is logged in: the user from the last login or /auth/me, kept in step with the stored tokens
 * (a failed refresh clears them, and with them the user).
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { onTokensChange, request, type Tokens, tokenStore } from "./api";
import type { User } from "./types";

interface Session {
  user: User | null;
  /** False until the stored session has been checked. */
  checked: boolean;
  logIn(email: string, password: string): Promise<User>;
  register(name: string, email: string, password: string): Promise<User>;
  logOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [checked, setChecked] = useState(false);

  useEffect(() => {
    const stop = onTokensChange((tokens) => {
      if (!tokens) setUser(null);
    });
    if (!tokenStore.get()) setChecked(true);
    else
      request<User>("/auth/me")
        // A logout while this was on its way (opening /logout does both at once) wins.
        .then((me) => setUser(tokenStore.get() ? me : null))
        .catch(() => setUser(null))
        .finally(() => setChecked(true));
    return () => {
      stop();
    };
  }, []);

  const start = useCallback((session: { user: User; tokens: Tokens }) => {
    tokenStore.set(session.tokens);
    setUser(session.user);
    return session.user;
  }, []);

  const value = useMemo<Session>(
    () => ({
      user,
      checked,
      logIn: async (email, password) => start(await request("/auth/login", { method: "POST", body: { email, password } })),
      register: async (name, email, password) =>
        start(await request("/auth/register", { method: "POST", body: { name, email, password } })),
      logOut: async () => {
        const tokens = tokenStore.get();
        try {
          if (tokens) await request("/auth/logout", { method: "POST", body: { refresh_token: tokens.refresh_token } });
        } finally {
          // Logged out here whatever the server said: the tokens are gone from this browser.
          tokenStore.set(null);
          setUser(null);
        }
      },
    }),
    [user, checked, start],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}
