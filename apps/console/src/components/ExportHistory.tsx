import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, asProblem, type Problem, saveBlob } from '../api';
import type { ExportView } from '../api-types';
import { formatBytes, formatCount, formatTime } from '../format';
import type { TimeZoneMode } from '../url-state';
import { ProblemMessage } from './ProblemMessage';

const POLL_MS = 2_000;
const ACTIVE = new Set(['queued', 'running']);

function filtersText(filters: ExportView['filters']): string {
  return Object.entries(filters)
    .filter(([name]) => name !== 'from' && name !== 'to')
    .map(([name, value]) => `${name}=${Array.isArray(value) ? value.join(',') : value}`)
    .join(' ');
}

/** The company's export jobs; polls while any is queued or running. */
export function ExportHistory({ tz }: { tz: TimeZoneMode }) {
  const [jobs, setJobs] = useState<ExportView[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [actionProblem, setActionProblem] = useState<Problem | null>(null);
  const [status, setStatus] = useState('');
  const [refreshes, setRefreshes] = useState(0);

  const refresh = useCallback(() => setRefreshes((count) => count + 1), []);

  useEffect(() => {
    const controller = new AbortController();
    api
      .exports(controller.signal)
      .then((answer) => {
        setJobs(answer.data);
        setProblem(null);
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setProblem(asProblem(error));
      });
    return () => controller.abort();
  }, [refreshes]);

  const active = jobs?.some((job) => ACTIVE.has(job.status)) ?? false;
  useEffect(() => {
    if (!active) return;
    const timer = setTimeout(refresh, POLL_MS);
    return () => clearTimeout(timer);
  }, [active, jobs, refresh]);

  const act = async (job: ExportView, action: 'download' | 'delete') => {
    setActionProblem(null);
    try {
      if (action === 'download') {
        setStatus(`Downloading ${job.name}…`);
        const file = await api.downloadExport(job.id);
        saveBlob(file.blob, file.filename ?? `${job.name}.${job.format}`);
        setStatus(`Downloaded ${job.name}.`);
      } else {
        const cancelling = ACTIVE.has(job.status);
        await api.deleteExport(job.id);
        setStatus(cancelling ? `Cancelled ${job.name}.` : `Deleted the file of ${job.name}.`);
        refresh();
      }
    } catch (error) {
      setActionProblem(asProblem(error));
      setStatus('');
    }
  };

  const running = jobs?.filter((job) => ACTIVE.has(job.status)).length ?? 0;
  return (
    <div class="export-history">
      <div class="toolbar">
        <h2>Export history</h2>
        <p role="status" aria-live="polite" class="muted">
          {status ||
            (running > 0 ? `${running} export${running === 1 ? '' : 's'} in progress…` : '')}
        </p>
      </div>
      {problem && <ProblemMessage problem={problem} />}
      {actionProblem && <ProblemMessage problem={actionProblem} />}
      {!jobs && !problem && <p role="status">Loading the export history…</p>}
      {jobs && jobs.length === 0 && (
        <p class="empty">No exports yet. Use Export on the Events tab to create one.</p>
      )}
      {jobs && jobs.length > 0 && (
        <div class="table-wrap">
          <table class="exports" aria-label="Export history">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Progress</th>
                <th scope="col">Rows</th>
                <th scope="col">Size</th>
                <th scope="col">SHA-256</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((job) => {
                const progress = Math.max(0, Math.min(100, job.progress ?? 0));
                return (
                  <tr key={job.id} data-export-id={job.id}>
                    <td data-label="Name">
                      <div class="export-name">{job.name}</div>
                      <div class="muted">
                        {job.format.toUpperCase()} {filtersText(job.filters)}
                      </div>
                    </td>
                    <td data-label="Status">
                      <span class={`badge status-${job.status}`}>{job.status}</span>
                      {job.error && <div class="error-text">{job.error}</div>}
                    </td>
                    <td data-label="Progress">
                      <div class="progress">
                        <progress
                          max={100}
                          value={progress}
                          aria-label={`Progress of ${job.name}`}
                        />
                        <span class="muted">{progress}%</span>
                      </div>
                    </td>
                    <td data-label="Rows" class="num">
                      {job.rows === null ? '—' : formatCount(job.rows)}
                    </td>
                    <td data-label="Size" class="num">
                      {formatBytes(job.bytes)}
                    </td>
                    <td data-label="SHA-256" class="mono sha">
                      {job.sha256 ? (
                        <span title={job.sha256}>{job.sha256.slice(0, 16)}…</span>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td data-label="Created">{formatTime(job.created_at, tz)}</td>
                    <td data-label="Expires">
                      {job.expires_at ? formatTime(job.expires_at, tz) : '—'}
                    </td>
                    <td>
                      <div class="row-actions">
                        {job.status === 'completed' && (
                          <button
                            type="button"
                            class="primary"
                            onClick={() => void act(job, 'download')}
                          >
                            Download
                          </button>
                        )}
                        {ACTIVE.has(job.status) && (
                          <button type="button" onClick={() => void act(job, 'delete')}>
                            Cancel
                          </button>
                        )}
                        {!ACTIVE.has(job.status) && job.status !== 'expired' && (
                          <button
                            type="button"
                            class="danger"
                            onClick={() => void act(job, 'delete')}
                          >
                            Delete
                          </button>
                        )}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
