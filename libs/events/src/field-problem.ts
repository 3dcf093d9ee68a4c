export type { FieldProblem } from '@auditlog/problem';
