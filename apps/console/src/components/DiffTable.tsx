import type { AuditEvent } from '../api-types';
import { formatValue } from '../format';

/** Before/after of each changed field. */
export function DiffTable({ changes }: { changes: NonNullable<AuditEvent['changes']> }) {
  return (
    <div class="table-wrap">
      <table class="diff" aria-label="Changes">
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((change, index) => (
            <tr key={`${change.field}:${index}`}>
              <th scope="row" class="mono">
                {change.field}
              </th>
              <td class="before">
                <pre>{formatValue(change.before)}</pre>
              </td>
              <td class="after">
                <pre>{formatValue(change.after)}</pre>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
