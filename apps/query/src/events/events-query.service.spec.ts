import { errors } from '@opensearch-project/opensearch';
import { ProblemException } from '@auditlog/platform';
import { toOwnerView, unavailableOrRethrow } from './events-query.service';

const response = (statusCode: number) =>
  new errors.ResponseError({
    body: {},
    statusCode,
    headers: {},
    warnings: null,
    meta: {} as never,
  });

describe('unavailableOrRethrow', () => {
  it.each([
    ['a connection error', new errors.ConnectionError('refused', {} as never)],
    ['a timeout', new errors.TimeoutError('slow', {} as never)],
    ['no living connections', new errors.NoLivingConnectionsError('none', {} as never)],
    ['429 from OpenSearch', response(429)],
    ['503 from OpenSearch', response(503)],
  ])('turns %s into a 503 with Retry-After', (_case, error) => {
    let thrown: unknown;
    try {
      unavailableOrRethrow(error);
    } catch (caught) {
      thrown = caught;
    }
    expect(thrown).toBeInstanceOf(ProblemException);
    expect((thrown as ProblemException).getStatus()).toBe(503);
    expect((thrown as ProblemException).headers['Retry-After']).toBe('5');
  });

  it('rethrows anything else unchanged', () => {
    const error = response(400);
    expect(() => unavailableOrRethrow(error)).toThrow(error);
  });
});

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
