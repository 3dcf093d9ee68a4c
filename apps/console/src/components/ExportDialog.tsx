import { useEffect, useRef, useState } from 'preact/hooks';
import { api, asProblem, type Params, type Problem, saveBlob } from '../api';
import { EXPORT_FORMATS, type EventPage, type ExportFormat } from '../api-types';
import { formatCount } from '../format';
import { paramsObject } from '../url-state';
import { ProblemMessage } from './ProblemMessage';

interface Props {
  open: boolean;
  /** The current filters with the window resolved. */
  params: Params;
  total: EventPage['total'] | null;
  onClose: () => void;
  /** A job was created: show the export history. */
  onJob: (id: string) => void;
}

/** Streamed download at most this many events; more become an export job (SPEC §6). */
const STREAM_MAX_ROWS = 10_000;

const FORMAT_LABELS: Record<ExportFormat, string> = {
  csv: 'CSV',
  json: 'JSON',
  ndjson: 'NDJSON',
  xlsx: 'XLSX (Excel)',
};

function defaultName(): string {
  return `audit-events-${new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-')}`;
}

/** Export the current filters: small results download at once, large ones become jobs. */
export function ExportDialog({ open, params, total, onClose, onJob }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [name, setName] = useState(defaultName);
  const [format, setFormat] = useState<ExportFormat>('csv');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [status, setStatus] = useState('');
  const [asJob, setAsJob] = useState(false);

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      setProblem(null);
      setStatus('');
      setName(defaultName());
      setAsJob(false);
      element.showModal();
    }
    if (!open && element.open) element.close();
  }, [open]);

  const filters = params.filter(([name]) => name !== 'cursor' && name !== 'limit');
  const small = total !== null && total.relation === 'eq' && total.value <= STREAM_MAX_ROWS;

  const createJob = async () => {
    const job = await api.createExport(name.trim(), format, paramsObject(filters));
    setStatus('Export job created.');
    onJob(job.id);
  };

  const submit = async () => {
    setBusy(true);
    setProblem(null);
    try {
      if (small && !asJob) {
        setStatus('Preparing the download…');
        try {
          const file = await api.streamExport(format, filters);
          saveBlob(file.blob, file.filename ?? `${name.trim() || 'audit-events'}.${format}`);
          setStatus('Download started.');
          onClose();
          return;
        } catch (error) {
          // More matched than a streamed download allows (new events arrived): a job.
          if (asProblem(error).status !== 413) throw error;
        }
      }
      await createJob();
    } catch (error) {
      setProblem(asProblem(error));
      setStatus('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={dialog}
      class="export-dialog"
      aria-labelledby="export-title"
      onClose={onClose}
      onCancel={onClose}
    >
      <form
        method="dialog"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <h2 id="export-title">Export events</h2>
        <p class="muted">
          {total === null
            ? 'The current filters and time window are exported.'
            : small
              ? `${formatCount(total.value)} events match: the file downloads now.`
              : `${total.relation === 'gte' ? 'More than ' : ''}${formatCount(total.value)} events match: an export job writes the file; follow it in Exports.`}
        </p>
        <div class="field">
          <label for="export-name">Name</label>
          <input
            id="export-name"
            value={name}
            required
            maxLength={200}
            onInput={(event) => setName(event.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="export-format">Format</label>
          <select
            id="export-format"
            value={format}
            onChange={(event) => setFormat(event.currentTarget.value as ExportFormat)}
          >
            {EXPORT_FORMATS.map((value) => (
              <option key={value} value={value}>
                {FORMAT_LABELS[value]}
              </option>
            ))}
          </select>
        </div>
        {small && (
          <div class="field-check">
            <input
              id="export-as-job"
              type="checkbox"
              checked={asJob}
              onChange={(event) => setAsJob(event.currentTarget.checked)}
            />
            <label for="export-as-job">
              Create an export job instead (kept in Exports, with SHA-256)
            </label>
          </div>
        )}
        {problem && <ProblemMessage problem={problem} />}
        <p role="status" class="muted">
          {status}
        </p>
        <div class="dialog-buttons">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy || !name.trim()}>
            Start export
          </button>
        </div>
      </form>
    </dialog>
  );
}
