import { useState } from 'preact/hooks';
import { api, asProblem, type Problem } from '../api';
import type { VerifyAnswer } from '../api-types';
import { formatCount, formatTime } from '../format';
import type { TimeZoneMode } from '../url-state';
import { ProblemMessage } from './ProblemMessage';

type Report = Exclude<VerifyAnswer, { status: 'not_configured' }>;

function hourAligned(ms: number): string {
  return new Date(Math.floor(ms / 3_600_000) * 3_600_000).toISOString().replace('.000Z', 'Z');
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

function Verdict({ report }: { report: Report }) {
  if (report.status === 'ok') {
    return (
      <p class="verdict verdict-ok">
        <strong>Verified.</strong> Integrity OK: all {plural(report.events, 'event')} in{' '}
        {plural(report.digests, 'signed digest')} match: nothing was modified, removed or added.
      </p>
    );
  }
  const parts = [
    report.modified.length > 0 && `${plural(report.modified.length, 'event')} modified`,
    report.missing.length > 0 && `${plural(report.missing.length, 'event')} missing`,
    report.unexpected.length > 0 && `${plural(report.unexpected.length, 'unexpected event')}`,
    report.chain.length > 0 && `${plural(report.chain.length, 'digest problem')}`,
  ].filter(Boolean);
  return (
    <p class="verdict verdict-failed">
      <strong>Verification failed:</strong> {parts.join(', ')}
      {report.truncated ? ' (lists cut at 1,000 entries)' : ''}. The stored log no longer matches
      what was sealed.
    </p>
  );
}

/** Checks the signed digests of a time range and says what it found in plain words. */
export function IntegrityPanel({ tz }: { tz: TimeZoneMode }) {
  const now = Date.now();
  const [from, setFrom] = useState(hourAligned(now - 86_400_000));
  const [to, setTo] = useState(hourAligned(now + 3_600_000));
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<VerifyAnswer | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);

  const verify = async () => {
    setBusy(true);
    setProblem(null);
    setAnswer(null);
    try {
      setAnswer(await api.verifyIntegrity(from.trim(), to.trim()));
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  };

  const problems: Array<{ window: string | null; kind: string; detail: string }> = [];
  if (answer && answer.status !== 'not_configured') {
    for (const item of answer.chain)
      problems.push({
        window: item.window_start,
        kind: item.problem.replace(/_/g, ' '),
        detail: item.detail,
      });
    for (const item of answer.modified)
      problems.push({
        window: item.window_start,
        kind: 'modified',
        detail: `event ${item.id}: ${item.reason === 'content' ? 'its content no longer matches its hash' : 'its hash differs from the sealed hash'}`,
      });
    for (const item of answer.missing)
      problems.push({
        window: item.window_start,
        kind: 'missing',
        detail: `event ${item.id} was sealed but is gone`,
      });
    for (const item of answer.unexpected)
      problems.push({
        window: null,
        kind: 'unexpected',
        detail: `event ${item.id} (received ${formatTime(item.received_at, tz)}) is not in its window's digest`,
      });
  }

  return (
    <div class="integrity">
      <h2>Integrity</h2>
      <p class="muted">
        Events are sealed in signed digests, one per time window. Verification recomputes every hash
        and signature of the range from storage. The range is over the time events were received, at
        most 31 days.
      </p>
      <form
        class="integrity-form"
        onSubmit={(event) => {
          event.preventDefault();
          void verify();
        }}
      >
        <div class="field">
          <label for="integrity-from">From</label>
          <input
            id="integrity-from"
            class="mono"
            value={from}
            onInput={(event) => setFrom(event.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="integrity-to">To</label>
          <input
            id="integrity-to"
            class="mono"
            value={to}
            onInput={(event) => setTo(event.currentTarget.value)}
          />
        </div>
        <button type="submit" class="primary" disabled={busy}>
          Verify
        </button>
      </form>
      <div aria-live="polite" class="integrity-result">
        {busy && <p role="status">Verifying…</p>}
        {problem && <ProblemMessage problem={problem} />}
        {answer?.status === 'not_configured' && (
          <div class="verdict verdict-none" role="status">
            <p>
              <strong>Not configured.</strong> This installation does not sign digests, so there is
              nothing to verify.
            </p>
            <p class="muted">{answer.detail}</p>
          </div>
        )}
        {answer && answer.status !== 'not_configured' && (
          <div role="status">
            <Verdict report={answer} />
            <dl class="counts">
              <dt>Range checked</dt>
              <dd>
                {formatTime(answer.from, tz)} – {formatTime(answer.to, tz)}
              </dd>
              <dt>Signed digests</dt>
              <dd>{formatCount(answer.digests)}</dd>
              <dt>Events checked</dt>
              <dd>{formatCount(answer.events)}</dd>
              <dt>Modified</dt>
              <dd>{formatCount(answer.modified.length)}</dd>
              <dt>Missing</dt>
              <dd>{formatCount(answer.missing.length)}</dd>
              <dt>Unexpected</dt>
              <dd>{formatCount(answer.unexpected.length)}</dd>
              <dt>Not sealed yet</dt>
              <dd>
                {formatCount(answer.pending)} received after the last digest
                {answer.unsealed > 0 && `, ${formatCount(answer.unsealed)} before sealing began`}
              </dd>
            </dl>
            {problems.length > 0 && (
              <div class="table-wrap">
                <table aria-label="Integrity problems">
                  <thead>
                    <tr>
                      <th scope="col">Window</th>
                      <th scope="col">Problem</th>
                      <th scope="col">Detail</th>
                    </tr>
                  </thead>
                  <tbody>
                    {problems.map((item, index) => (
                      <tr key={index}>
                        <td class="mono">{item.window ? formatTime(item.window, tz) : '—'}</td>
                        <td>{item.kind}</td>
                        <td>{item.detail}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {answer.expired.length > 0 && (
              <>
                <h3>Windows past retention (not a failure)</h3>
                <ul>
                  {answer.expired.map((window) => (
                    <li key={window.window_start}>
                      {formatTime(window.window_start, tz)} – {formatTime(window.window_end, tz)}:{' '}
                      {plural(window.event_count, 'event')} deleted by retention
                    </li>
                  ))}
                </ul>
              </>
            )}
          </div>
        )}
      </div>
    </div>
  );
}
