/**
 * The events every console suite ingests, relative to the suite's start, and the ids each
 * filter must leave in the table. Companies A and B share target ids on purpose (both have a
 * `project:p1` and a `svc-1`), so a tenant leak would show up as a B id in an A view.
 */
export const COMPANY_A = 'company-a';
export const COMPANY_B = 'company-b';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface SeedInput {
  id: string;
  company_id: string;
  timestamp: string;
  action: string;
  [field: string]: unknown;
}

const p1 = { type: 'project', id: 'p1', name: 'Payments' };
const p2 = { type: 'project', id: 'p2', name: 'Platform' };
const env1 = { type: 'environment', id: 'env-1', name: 'Production' };
const env2 = { type: 'environment', id: 'env-2', name: 'Staging' };
const svc1 = { type: 'service', id: 'svc-1', name: 'payment-api' };

export const A_CHANGES = [
  { field: 'replicas', before: 1, after: 3 },
  { field: 'image', before: 'payment-api:1.4', after: 'payment-api:1.5' },
  { field: 'paused', before: true, after: false },
];

/** Company A and company B events, `now` being the suite's start. */
export function seedEvents(now: number): SeedInput[] {
  const ago = (ms: number) => new Date(now - ms).toISOString();
  return [
    {
      id: 'a01',
      company_id: COMPANY_A,
      timestamp: ago(10 * MINUTE),
      action: 'flow.created',
      operation: 'create',
      actor: { id: 'alice', type: 'user', name: 'Alice Martin', email: 'alice@a.example' },
      target: { ...svc1, ancestors: [p1, env1] },
      source: { tool: 'console', ip: '10.0.0.5', user_agent: 'Mozilla/5.0' },
      context: { task_id: 't-1' },
      description: 'Created the payment flow',
      changes: A_CHANGES,
      details: { flow: { steps: 3, trigger: 'webhook' } },
    },
    {
      id: 'a02',
      company_id: COMPANY_A,
      timestamp: ago(20 * MINUTE),
      action: 'flow.updated',
      operation: 'update',
      actor: { id: 'ag-7', type: 'agent', name: 'Deploy assistant' },
      target: { type: 'service', id: 'svc-2', name: 'gateway', ancestors: [p2, env2] },
      outcome: 'failure',
      reason: 'quota exceeded',
      source: { tool: 'api', ip: '10.0.1.7' },
      context: { agent_id: 'ag-7', flow_id: 'f-9' },
      description: 'Updated the gateway flow',
    },
    {
      id: 'a03',
      company_id: COMPANY_A,
      timestamp: ago(30 * MINUTE),
      action: 'auth.login',
      operation: 'login',
      actor: { id: 'bob', type: 'user', name: 'Bob Chen', email: 'bob@a.example' },
      outcome: 'failure',
      source: { tool: 'sso', ip: '192.168.1.20' },
      description: 'Sign-in attempt',
    },
    {
      id: 'a04',
      company_id: COMPANY_A,
      timestamp: ago(2 * HOUR),
      action: 'environment.deployed',
      operation: 'execute',
      actor: { id: 'svc-ci', type: 'service', name: 'CI pipeline' },
      target: { ...env1, ancestors: [p1] },
      source: { tool: 'terraform', ip: '2001:db8::7' },
      context: { transaction_id: 'tx-1' },
      description: 'Deployed production',
    },
    {
      id: 'a05',
      company_id: COMPANY_A,
      timestamp: ago(3 * HOUR),
      action: 'secret.read',
      operation: 'read',
      actor: { id: 'tok-1', type: 'api_token', name: 'Reporting token' },
      target: { type: 'secret', id: 'sec-1', name: 'db-password', ancestors: [p2, env2] },
      source: { tool: 'cli', ip: '10.0.0.6' },
      description: 'Read a secret',
    },
    {
      id: 'a06',
      company_id: COMPANY_A,
      timestamp: ago(50 * HOUR),
      action: 'flow.deleted',
      operation: 'delete',
      actor: { id: 'system', type: 'system', name: 'Retention' },
      target: { ...svc1, ancestors: [p1, env1] },
      source: { tool: 'git', ip: '10.0.2.1' },
      description: 'Deleted an old flow',
    },
    {
      id: 'a07',
      company_id: COMPANY_A,
      timestamp: ago(40 * MINUTE),
      action: 'approval.denied',
      operation: 'update',
      actor: { id: 'alice', type: 'user', name: 'Alice Martin', email: 'alice@a.example' },
      target: { type: 'approval', id: 'ap-1', name: 'Rollback', ancestors: [p1, env1, svc1] },
      outcome: 'failure',
      source: { tool: 'console', ip: '10.0.0.5' },
      context: { task_id: 't-7' },
      description: 'Denied the rollback approval',
    },
    {
      id: 'b01',
      company_id: COMPANY_B,
      timestamp: ago(15 * MINUTE),
      action: 'flow.created',
      operation: 'create',
      actor: { id: 'bea', type: 'user', name: 'Bea Kowalski', email: 'bea@b.example' },
      target: { ...svc1, ancestors: [p1, env1] },
      source: { tool: 'console', ip: '10.0.0.5' },
      context: { task_id: 't-1' },
      description: 'Created a flow in B',
      changes: [{ field: 'replicas', before: 2, after: 4 }],
    },
    {
      id: 'b02',
      company_id: COMPANY_B,
      timestamp: ago(25 * MINUTE),
      action: 'auth.login',
      operation: 'login',
      actor: { id: 'bea', type: 'user', name: 'Bea Kowalski', email: 'bea@b.example' },
      source: { tool: 'sso', ip: '192.168.1.20' },
      description: 'Signed in to B',
    },
    {
      id: 'b03',
      company_id: COMPANY_B,
      timestamp: ago(2 * HOUR),
      action: 'secret.rotated',
      operation: 'update',
      actor: { id: 'svc-ci', type: 'service', name: 'CI pipeline' },
      target: { type: 'secret', id: 'sec-1', name: 'db-password', ancestors: [p2, env2] },
      outcome: 'failure',
      source: { tool: 'terraform', ip: '10.0.0.9' },
      description: 'Rotated a secret in B',
    },
  ];
}

export const A_IDS = ['a01', 'a02', 'a03', 'a04', 'a05', 'a06', 'a07'];
export const B_IDS = ['b01', 'b02', 'b03'];
/** Company A's events in the default window (last 24 h), newest first. */
export const A_LAST_24H = ['a01', 'a02', 'a03', 'a07', 'a04', 'a05'];

/** Events the query API records about reads (`audit_log.viewed`, `audit_log.exported`). */
export const isSelfAudit = (id: string): boolean => /^(viewed|exported)-/.test(id);
