/** One invalid field: `path` like `actor.email` or `changes[3].field`, and the broken rule. */
export interface FieldProblem {
  path: string;
  message: string;
}
