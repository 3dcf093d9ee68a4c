import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, asProblem, Problem, setExportUrl, setUnauthorizedHandler } from './api';
import type { SessionInfo } from './api-types';
import { Console } from './components/Console';
import { SignIn } from './components/SignIn';
import {
  clearSession,
  exchangeViewerToken,
  initialSession,
  type StoredSession,
  storeSession,
  whoAmI,
} from './session';

type Auth =
  | { phase: 'loading' }
  | { phase: 'signed-out'; problem: Problem | null; busy: boolean }
  | { phase: 'signed-in'; session: StoredSession; info: SessionInfo };

/** Ask the host page for a new viewer token this long before the session ends. */
const REFRESH_BEFORE_MS = 60_000;
const embedded = window.parent !== window;
const MAX_TIMER_MS = 2_147_000_000;

export function App() {
  const [auth, setAuth] = useState<Auth>({ phase: 'loading' });

  const signOut = useCallback((problem: Problem | null = null) => {
    clearSession();
    setAuth({ phase: 'signed-out', problem, busy: false });
  }, []);

  const enter = useCallback(
    async (session: StoredSession) => {
      try {
        const info = await whoAmI(session);
        setAuth({ phase: 'signed-in', session, info });
      } catch (error) {
        signOut(asProblem(error));
      }
    },
    [signOut],
  );

  useEffect(() => {
    setUnauthorizedHandler((problem) => signOut(problem));
    const start = async () => {
      setExportUrl((await api.config()).exportUrl);
      const session = await initialSession();
      if (session) await enter(session);
      else setAuth({ phase: 'signed-out', problem: null, busy: false });
    };
    start().catch((error: unknown) => signOut(asProblem(error)));
    return () => setUnauthorizedHandler(null);
  }, [enter, signOut]);

  // Embedded viewers: ask the host for a fresh viewer token before the session ends, and
  // exchange the token the host posts back.
  const expiresAt = auth.phase === 'signed-in' ? auth.info.expires_at : null;
  useEffect(() => {
    if (!expiresAt) return;
    const end = Date.parse(expiresAt);
    // Long-lived JWTs: timers cannot wait longer than about 24 days.
    if (!Number.isFinite(end) || end - Date.now() > MAX_TIMER_MS) return;
    const timers: number[] = [];
    if (embedded) {
      // A minute ahead, or a fifth of a short session's remaining time.
      const lead = Math.min(REFRESH_BEFORE_MS, (end - Date.now()) / 5);
      const askAt = Math.max(end - lead, Date.now() + 1_000);
      timers.push(
        window.setTimeout(() => {
          window.parent.postMessage(
            { type: 'auditlog:session-expiring', expires_at: expiresAt },
            '*',
          );
        }, askAt - Date.now()),
      );
    }
    timers.push(
      window.setTimeout(
        () =>
          signOut(
            new Problem(401, {
              title: 'Session expired',
              detail:
                'Your session has ended. Open the audit log again from the host platform, or sign in.',
            }),
          ),
        Math.max(end - Date.now(), 0),
      ),
    );
    return () => timers.forEach((timer) => clearTimeout(timer));
  }, [expiresAt, signOut]);

  useEffect(() => {
    if (!embedded) return;
    const onMessage = (event: MessageEvent<unknown>) => {
      if (event.source !== window.parent) return;
      const data = event.data as { type?: unknown; token?: unknown } | null;
      if (!data || data.type !== 'auditlog:viewer-token' || typeof data.token !== 'string') return;
      exchangeViewerToken(data.token)
        .then((session) => enter(session))
        .catch((error: unknown) => signOut(asProblem(error)));
    };
    window.addEventListener('message', onMessage);
    return () => window.removeEventListener('message', onMessage);
  }, [enter, signOut]);

  const signIn = (token: string) => {
    setAuth({ phase: 'signed-out', problem: null, busy: true });
    const session: StoredSession = { token, via: 'jwt', expiresAt: null };
    storeSession(session);
    void enter(session);
  };

  switch (auth.phase) {
    case 'loading':
      return (
        <main id="main" class="loading-page">
          <p role="status">Loading the audit log…</p>
        </main>
      );
    case 'signed-out':
      return <SignIn problem={auth.problem} busy={auth.busy} onSignIn={signIn} />;
    case 'signed-in':
      return <Console info={auth.info} onSignOut={() => signOut()} />;
  }
}
