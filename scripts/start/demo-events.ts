/** A small, realistic demo log: a few people and agents working on flows and environments. */
const ACTORS = [
  { id: 'u-alice', type: 'user', name: 'Alice Martin', email: 'alice@example.com' },
  { id: 'u-bob', type: 'user', name: 'Bob Chen', email: 'bob@example.com' },
  { id: 'agent-7', type: 'agent', name: 'Deploy assistant' },
  { id: 'svc-ci', type: 'service', name: 'CI pipeline' },
] as const;

const ACTIONS = [
  { action: 'flow.created', operation: 'create', target: 'flow' },
  { action: 'flow.updated', operation: 'update', target: 'flow' },
  { action: 'environment.deployed', operation: 'execute', target: 'environment' },
  { action: 'auth.login', operation: 'login', target: 'session' },
  { action: 'approval.denied', operation: 'update', target: 'approval' },
  { action: 'secret.read', operation: 'read', target: 'secret' },
] as const;

export function demoEvents(
  companyId: string,
  count: number,
  now = new Date(),
): Array<Record<string, unknown>> {
  const day = now.toISOString().slice(0, 10);
  return Array.from({ length: count }, (_, index) => {
    const actor = ACTORS[index % ACTORS.length];
    const kind = ACTIONS[index % ACTIONS.length];
    const timestamp = new Date(now.getTime() - (count - index) * 97_000);
    return {
      id: `demo-${companyId}-${day}-${String(index + 1).padStart(3, '0')}`,
      timestamp: timestamp.toISOString(),
      company_id: companyId,
      action: kind.action,
      operation: kind.operation,
      actor,
      target: {
        type: kind.target,
        id: `${kind.target}-${(index % 5) + 1}`,
        name: `${kind.target} ${(index % 5) + 1}`,
      },
      outcome: kind.action === 'approval.denied' ? 'failure' : 'success',
      source: { tool: index % 2 === 0 ? 'console' : 'api', ip: `203.0.113.${(index % 200) + 1}` },
      description: `${actor.name} ${kind.action.replace('.', ' ')}`,
    };
  });
}
