import { useState } from 'preact/hooks';
import type { Problem } from '../api';
import { ProblemMessage } from './ProblemMessage';

interface Props {
  problem: Problem | null;
  busy: boolean;
  onSignIn: (token: string) => void;
}

/** The page shown without a session: paste a company-owner or installation-admin JWT. */
export function SignIn({ problem, busy, onSignIn }: Props) {
  const [token, setToken] = useState('');
  return (
    <div class="signin-page">
      <header class="signin-header">
        <h1>Audit log</h1>
      </header>
      <main id="main" class="signin">
        <h2>Sign in</h2>
        <p>
          Host platforms open this console signed in through a viewer link. Operators can paste a
          company-owner or installation-admin token (JWT) here.
        </p>
        <form
          class="signin-form"
          onSubmit={(event) => {
            event.preventDefault();
            if (token.trim()) onSignIn(token.trim());
          }}
        >
          <label for="signin-token">Company-owner or admin token (JWT)</label>
          <textarea
            id="signin-token"
            rows={6}
            spellcheck={false}
            autocomplete="off"
            value={token}
            required
            onInput={(event) => setToken(event.currentTarget.value)}
            aria-describedby={problem ? 'signin-problem' : undefined}
          />
          <button type="submit" class="primary" disabled={busy}>
            Sign in
          </button>
        </form>
        {busy && (
          <p role="status" class="muted">
            Signing in…
          </p>
        )}
        {problem && <ProblemMessage problem={problem} id="signin-problem" />}
      </main>
    </div>
  );
}
