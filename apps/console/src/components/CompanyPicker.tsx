import { useEffect, useState } from 'preact/hooks';
import { api, asProblem, type Problem } from '../api';
import type { AdminCompanies } from '../api-types';
import { formatCount } from '../format';

interface Props {
  companyId: string | null;
  onPick: (companyId: string) => void;
}

/** Installation admins only: the company every view reads (`company_id`). */
export function CompanyPicker({ companyId, onPick }: Props) {
  const [companies, setCompanies] = useState<AdminCompanies['companies'] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [typed, setTyped] = useState(companyId ?? '');

  useEffect(() => {
    const controller = new AbortController();
    api
      .adminCompanies(controller.signal)
      .then((answer) => setCompanies(answer.companies))
      .catch((error: unknown) => setProblem(asProblem(error)));
    return () => controller.abort();
  }, []);

  if (companies) {
    const known = companies.some((company) => company.company_id === companyId);
    return (
      <span class="company-picker">
        <label for="company-picker">Company</label>
        <select
          id="company-picker"
          value={companyId ?? ''}
          onChange={(event) => {
            const value = event.currentTarget.value;
            if (value) onPick(value);
          }}
        >
          {!companyId && <option value="">Choose a company…</option>}
          {companyId && !known && <option value={companyId}>{companyId}</option>}
          {companies.map((company) => (
            <option key={company.company_id} value={company.company_id}>
              {company.company_id}
              {company.events_last_30d !== undefined &&
                ` (${formatCount(company.events_last_30d)} events, 30 days)`}
            </option>
          ))}
        </select>
      </span>
    );
  }
  // Without the company list (older query app, or an error), the id can still be typed.
  return (
    <form
      class="company-picker"
      onSubmit={(event) => {
        event.preventDefault();
        if (typed.trim()) onPick(typed.trim());
      }}
    >
      <label for="company-picker">Company</label>
      <input
        id="company-picker"
        value={typed}
        onInput={(event) => setTyped(event.currentTarget.value)}
        title={problem ? `${problem.title}: ${problem.detail}` : undefined}
      />
      <button type="submit">Open</button>
    </form>
  );
}
