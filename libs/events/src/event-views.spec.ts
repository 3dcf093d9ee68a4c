import { toOwnerView } from './event-views';

describe('toOwnerView', () => {
  it('drops admin-only ingest fields and the scope helper', () => {
    const view = toOwnerView({
      id: 'e',
      timestamp: 't',
      received_at: 't',
      company_id: 'acme',
      action: 'a.b',
      category: 'a',
      actor: { id: 'u', type: 'user' },
      outcome: 'success',
      schema_version: 1,
      hash: 'h',
      scope: ['project:p'],
      ingest: { key_id: 'k', client_ip: '10.0.0.1' },
    });
    expect(view).not.toHaveProperty('ingest');
    expect(view).not.toHaveProperty('scope');
    expect(view).toMatchObject({ id: 'e', company_id: 'acme' });
  });
});
