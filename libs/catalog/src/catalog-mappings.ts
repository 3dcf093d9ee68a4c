/**
 * The strict mapping of the action catalog index (`<prefix>-catalog`): one document per
 * action, the document id is the action. Display texts are kept, not searched.
 */
const keyword = { type: 'keyword' } as const;
const stored = { type: 'keyword', index: false, doc_values: false } as const;

export const CATALOG_MAPPINGS = {
  dynamic: 'strict',
  properties: {
    action: keyword,
    label: stored,
    description: stored,
    category: keyword,
    operation: keyword,
    template: stored,
    updated_at: { type: 'date' },
    updated_by: keyword,
  },
} as const;
