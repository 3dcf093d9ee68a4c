import type { Problem } from '../api';

interface Props {
  problem: Problem;
  /** `alert` interrupts screen readers (sign-in, dialogs); `status` waits politely. */
  role?: 'alert' | 'status';
  id?: string;
}

/** A problem+json answer shown as its title, detail and field errors. */
export function ProblemMessage({ problem, role = 'alert', id }: Props) {
  return (
    <div class="problem" role={role} id={id}>
      <p class="problem-title">
        <strong>{problem.title}</strong>
        {problem.status > 0 && <span class="problem-status"> ({problem.status})</span>}
      </p>
      {problem.detail && <p class="problem-detail">{problem.detail}</p>}
      {problem.errors.length > 0 && (
        <ul class="problem-errors">
          {problem.errors.map((error) => (
            <li key={`${error.path}:${error.message}`}>
              {error.path && <code>{error.path}</code>} {error.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
