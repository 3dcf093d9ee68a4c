/** A small, realistic demo log: a few people and agents working on flows and environments. */
const ACTORS = [
  { id: 'u-alice', type: 'user', name: 'Alice Martin', email: 'alice@example.com' },
  { id: 'u-bob', type: 'user', name: 'Bob Chen', email: 'bob@example.com' },
  { id: 'agent-7', type: 'agent', name: 'Deploy assistant' },
  { id: 'svc-ci', type: 'service', name: 'CI pipeline' },
  { id: 'tok-terraform', type: 'api_token', name: 'Terraform token' },
] as const;

const ACTIONS = [
  { action: 'flow.created', operation: 'create', target: 'flow' },
  { action: 'flow.updated', operation: 'update', target: 'flow' },
  { action: 'environment.deployed', operation: 'execute', target: 'environment' },
  { action: 'auth.login', operation: 'login', target: 'session' },
  { action: 'approval.denied', operation: 'update', target: 'approval' },
  { action: 'secret.read', operation: 'read', target: 'secret' },
] as const;

const TOOLS = ['console', 'api', 'terraform', 'cli'] as const;

/** project → environment → service, as a host platform nests its objects. */
function ancestorsOf(index: number): Array<{ type: string; id: string; name: string }> {
  const project = (index % 2) + 1;
  const environment = index % 3 === 0 ? 'production' : 'staging';
  return [
    { type: 'project', id: `p${project}`, name: `Project ${project}` },
    { type: 'environment', id: `p${project}-${environment}`, name: environment },
    { type: 'service', id: `p${project}-api`, name: 'api' },
  ];
}

function cycle<T>(items: readonly T[], index: number): T {
  const item = items[index % items.length];
  if (item === undefined) throw new Error('demo events: an empty list cannot be cycled');
  return item;
}

export function demoEvents(
  companyId: string,
  count: number,
  now = new Date(),
): Array<Record<string, unknown>> {
  const day = now.toISOString().slice(0, 10);
  return Array.from({ length: count }, (_, index) => {
    const actor = cycle(ACTORS, index);
    const kind = cycle(ACTIONS, index);
    const timestamp = new Date(now.getTime() - (count - index) * 97_000);
    const impersonated = actor.id === 'u-bob' && index % 3 === 0;
    return {
      id: `demo-${companyId}-${day}-${String(index + 1).padStart(3, '0')}`,
      timestamp: timestamp.toISOString(),
      company_id: companyId,
      action: kind.action,
      operation: kind.operation,
      actor: impersonated
        ? { ...actor, impersonator: { id: 'u-support', type: 'user', name: 'Support desk' } }
        : actor,
      target: {
        type: kind.target,
        id: `${kind.target}-${(index % 5) + 1}`,
        name: `${kind.target} ${(index % 5) + 1}`,
        ancestors: ancestorsOf(index),
      },
      outcome: kind.action === 'approval.denied' ? 'failure' : 'success',
      ...(kind.action === 'approval.denied' ? { reason: 'Change window closed' } : {}),
      source: { tool: cycle(TOOLS, index), ip: `203.0.113.${(index % 200) + 1}` },
      context: {
        task_id: `task-${Math.floor(index / 4) + 1}`,
        ...(actor.type === 'agent' ? { agent_id: actor.id } : {}),
        ...(kind.target === 'flow' ? { flow_id: `flow-${(index % 5) + 1}` } : {}),
      },
      description: `${actor.name} ${kind.action.replace('.', ' ')}`,
      ...(kind.operation === 'update'
        ? {
            changes: [
              { field: 'replicas', before: 2, after: 3 },
              { field: 'image', before: 'api:1.4.0', after: 'api:1.5.0' },
            ],
            details: { requested_by: actor.id, ticket: `OPS-${100 + index}` },
          }
        : {}),
    };
  });
}

/** Labels and display templates the demo producer registers in the action catalog. */
export const DEMO_CATALOG: Array<{ action: string; label: string; template?: string }> = [
  { action: 'flow.created', label: 'Flow created', template: '{actor.name} created {target.name}' },
  { action: 'flow.updated', label: 'Flow updated', template: '{actor.name} updated {target.name}' },
  {
    action: 'environment.deployed',
    label: 'Environment deployed',
    template: '{actor.name} deployed {target.name}',
  },
  { action: 'auth.login', label: 'Signed in' },
  { action: 'approval.denied', label: 'Approval denied' },
  { action: 'secret.read', label: 'Secret read', template: '{actor.name} read {target.name}' },
];
