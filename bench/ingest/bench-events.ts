import { randomBytes } from 'node:crypto';

const TOOLS = ['console', 'api', 'terraform', 'cli'];
const ACTIONS = [
  'flow.created',
  'flow.updated',
  'service.deployed',
  'auth.login',
  'approval.denied',
];

/** A realistic producer event of about 1 KB. */
export function benchEvent(run: string, index: number, companies: number): Record<string, unknown> {
  const company = `company-${index % companies}`;
  return {
    id: `${run}-${index}`,
    timestamp: new Date().toISOString(),
    company_id: company,
    action: ACTIONS[index % ACTIONS.length],
    operation: 'update',
    actor: {
      id: `user-${index % 97}`,
      type: 'user',
      name: `User ${index % 97}`,
      email: `user-${index % 97}@example.com`,
    },
    target: {
      type: 'service',
      id: `svc-${index % 31}`,
      name: `service ${index % 31}`,
      ancestors: [
        { type: 'project', id: `proj-${index % 7}`, name: 'Project' },
        { type: 'environment', id: 'production', name: 'Production' },
      ],
    },
    outcome: index % 20 === 0 ? 'failure' : 'success',
    source: {
      tool: TOOLS[index % TOOLS.length],
      ip: `10.${index % 250}.${(index >> 8) % 250}.${index % 200}`,
      user_agent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)',
      request_id: randomBytes(8).toString('hex'),
    },
    context: { task_id: `task-${index % 1000}`, flow_id: `flow-${index % 100}` },
    description: `Changed the replica count and image of service ${index % 31} in production`,
    changes: [
      { field: 'replicas', before: 1, after: 2 },
      {
        field: 'image',
        before: 'registry.example.com/svc:1.2.3',
        after: 'registry.example.com/svc:1.2.4',
      },
    ],
    details: {
      request: {
        method: 'PATCH',
        path: `/v1/projects/proj-${index % 7}/services/svc-${index % 31}`,
        body: { replicas: 2, labels: { team: 'payments', tier: 'backend' } },
      },
      note: randomBytes(96).toString('base64'),
    },
  };
}
