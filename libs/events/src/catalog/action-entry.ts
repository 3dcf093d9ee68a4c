import 'reflect-metadata';
import {
  IsDefined,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  validateSync,
} from 'class-validator';
import { OPERATIONS, type Operation } from '../audit-event';
import { ACTION_PATTERN, CATEGORY_PATTERN, MAX_ACTION_LENGTH } from '../event-id';
import type { FieldProblem } from '../field-problem';
import { findHostileInput } from '../validation/hostile-input';
import { validationProblems } from '../validation/validation-problems';

/** The event fields a display template may name, written `{actor.name}` (docs/catalog.md). */
export const TEMPLATE_PLACEHOLDERS = [
  'actor.name',
  'actor.id',
  'actor.email',
  'target.name',
  'target.id',
  'target.type',
  'outcome',
  'action',
] as const;
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

export const ACTION_ENTRY_LIMITS = { label: 120, description: 1024, template: 256 } as const;

/** One action of the installation-wide catalog, as stored and returned. */
export interface ActionCatalogEntry {
  action: string;
  label: string;
  description: string | null;
  /** As given, else the event default: the segment before the first dot of the action. */
  category: string;
  operation: Operation | null;
  template: string | null;
  updated_at: string;
  /** The ingest key id that registered this version. */
  updated_by: string;
}

export type ActionEntryFields = Omit<ActionCatalogEntry, 'updated_at' | 'updated_by'>;

export type ParsedActionEntry =
  { ok: true; entry: ActionEntryFields } | { ok: false; errors: FieldProblem[] };

const BODY_FIELDS = ['label', 'description', 'category', 'operation', 'template'] as const;

/** `{…}` and lone braces: every brace of a template belongs to a known placeholder. */
const TEMPLATE_TOKEN = /\{([^{}]*)\}|[{}]/g;

function templateProblems(template: unknown): FieldProblem[] {
  if (typeof template !== 'string') return [];
  const known = new Set<string>(TEMPLATE_PLACEHOLDERS);
  const allowed = TEMPLATE_PLACEHOLDERS.map((name) => `{${name}}`).join(' ');
  const problems: FieldProblem[] = [];
  for (const match of template.matchAll(TEMPLATE_TOKEN)) {
    const [token, name] = match;
    if (name !== undefined && known.has(name)) continue;
    problems.push({
      path: 'template',
      message:
        name === undefined
          ? `template has an unmatched "${token}" at ${match.index}; braces only enclose placeholders: ${allowed}`
          : `template has unknown placeholder ${token}; allowed: ${allowed}`,
    });
  }
  return problems;
}

class ActionEntryDto {
  @IsDefined()
  @IsString()
  @Matches(/\S/, { message: 'label must not be blank' })
  @MaxLength(ACTION_ENTRY_LIMITS.label)
  label!: string;

  @IsOptional()
  @IsString()
  @MaxLength(ACTION_ENTRY_LIMITS.description)
  description?: string | null;

  @IsOptional()
  @IsString()
  @Matches(CATEGORY_PATTERN, { message: 'category must be 1-64 characters [a-z0-9_]' })
  category?: string | null;

  @IsOptional()
  @IsIn(OPERATIONS, { message: `operation must be one of ${OPERATIONS.join(', ')}` })
  operation?: Operation | null;

  @IsOptional()
  @IsString()
  @MaxLength(ACTION_ENTRY_LIMITS.template)
  template?: string | null;
}

/**
 * Validates `PUT /v1/catalog/actions/{action}`: the action from the path (the event's
 * action rule) and the body. A PUT replaces the entry: omitted or null optional fields are
 * stored as null, the category as the event default. Pure; the caller adds who and when.
 */
export function parseActionEntry(action: string, body: unknown): ParsedActionEntry {
  const errors: FieldProblem[] = [];
  if (action.length > MAX_ACTION_LENGTH || !ACTION_PATTERN.test(action)) {
    errors.push({
      path: 'action',
      message: `action must be dotted lowercase like flow.created ([a-z0-9_] segments), at most ${MAX_ACTION_LENGTH} characters`,
    });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return {
      ok: false,
      errors: [...errors, { path: '', message: 'the body must be a JSON object' }],
    };
  }
  const hostile = findHostileInput(body);
  if (hostile.length > 0) return { ok: false, errors: [...errors, ...hostile] };
  const input = body as Record<string, unknown>;
  errors.push(
    ...validationProblems(
      validateSync(Object.assign(new ActionEntryDto(), input), {
        whitelist: true,
        forbidNonWhitelisted: true,
        validationError: { target: false, value: false },
      }),
      BODY_FIELDS,
    ),
    ...templateProblems(input.template),
  );
  if (errors.length > 0) return { ok: false, errors };
  const fields = input as unknown as ActionEntryDto;
  return {
    ok: true,
    entry: {
      action,
      label: fields.label,
      description: fields.description ?? null,
      category: fields.category ?? action.slice(0, action.indexOf('.')),
      operation: fields.operation ?? null,
      template: fields.template ?? null,
    },
  };
}
