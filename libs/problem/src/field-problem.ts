/** One invalid field: `path` is a JSON path like `actor.id` or `events[3].action`, and the broken rule. */
export interface FieldProblem {
  path: string;
  message: string;
}
