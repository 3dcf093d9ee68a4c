import { parseActionEntry } from './action-entry';

function errorsOf(action: string, body: unknown): Array<{ path: string; message: string }> {
  const result = parseActionEntry(action, body);
  if (result.ok) throw new Error('expected the entry to be rejected');
  return result.errors;
}

describe('parseActionEntry', () => {
  it('stores omitted fields as null and derives the category like an event', () => {
    expect(parseActionEntry('flow.created', { label: 'Flow created' })).toEqual({
      ok: true,
      entry: {
        action: 'flow.created',
        label: 'Flow created',
        description: null,
        category: 'flow',
        operation: null,
        template: null,
      },
    });
  });

  it('keeps every given field', () => {
    const body = {
      label: 'Approval denied',
      description: 'An approver refused a step.',
      category: 'approvals',
      operation: 'update',
      template:
        '{actor.name} ({actor.email}) denied {target.type} {target.name} [{target.id}]: {outcome}, {action} by {actor.id}',
    };
    expect(parseActionEntry('approval.step.denied', body)).toEqual({
      ok: true,
      entry: { action: 'approval.step.denied', ...body },
    });
  });

  it.each([
    ['uppercase action', 'Flow.Created', { label: 'x' }, 'action', /dotted lowercase/],
    ['action without a dot', 'flow', { label: 'x' }, 'action', /dotted lowercase/],
    ['action too long', `a.${'b'.repeat(127)}`, { label: 'x' }, 'action', /at most 128/],
    ['body an array', 'a.b', [{ label: 'x' }], '', /JSON object/],
    ['body null', 'a.b', null, '', /JSON object/],
    ['missing label', 'a.b', {}, 'label', /label is required/],
    ['blank label', 'a.b', { label: '  ' }, 'label', /blank/],
    ['label a number', 'a.b', { label: 7 }, 'label', /string/],
    ['label too long', 'a.b', { label: 'x'.repeat(121) }, 'label', /120/],
    [
      'description too long',
      'a.b',
      { label: 'x', description: 'd'.repeat(1025) },
      'description',
      /1024/,
    ],
    ['bad category', 'a.b', { label: 'x', category: 'Flows' }, 'category', /\[a-z0-9_\]/],
    ['bad operation', 'a.b', { label: 'x', operation: 'destroy' }, 'operation', /one of create/],
    ['template too long', 'a.b', { label: 'x', template: 't'.repeat(257) }, 'template', /256/],
    [
      'unknown placeholder',
      'a.b',
      { label: 'x', template: '{actor.name} did {details.secret}' },
      'template',
      /unknown placeholder \{details\.secret\}/,
    ],
    [
      'unmatched brace',
      'a.b',
      { label: 'x', template: '{actor.name did' },
      'template',
      /unmatched "\{"/,
    ],
    [
      'unknown field',
      'a.b',
      { label: 'x', colour: 'red' },
      'colour',
      /unknown field "colour"; allowed fields: label/,
    ],
    ['lone surrogate', 'a.b', { label: '\ud800' }, 'label', /invalid Unicode/],
  ])('rejects %s', (_name, action, body, path, message) => {
    const errors = errorsOf(action, body);
    const error = errors.find((each) => each.path === path);
    expect(error?.message).toMatch(message);
  });

  it('names every unknown placeholder', () => {
    expect(errorsOf('a.b', { label: 'x', template: '{a} {actor.name} {b}' })).toEqual([
      expect.objectContaining({ path: 'template', message: expect.stringContaining('{a}') }),
      expect.objectContaining({ path: 'template', message: expect.stringContaining('{b}') }),
    ]);
  });
});
