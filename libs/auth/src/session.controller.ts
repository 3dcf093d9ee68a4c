import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import type { QueryParams } from '@auditlog/events';
import { CurrentPrincipal } from './current-principal.decorator';
import { JwtAuthGuard } from './jwt-auth.guard';
import { PERMISSIONS, type Principal, ROLES } from './principal';

export interface SessionView {
  subject: string;
  company_id: string | null;
  roles: string[];
  permissions: string[];
  filters: QueryParams;
  expires_at: string | null;
  via: Principal['via'];
}

export function sessionView(principal: Principal): SessionView {
  return {
    subject: principal.subject,
    company_id: principal.companyId ?? null,
    roles: principal.roles,
    permissions: principal.permissions,
    filters: principal.fixedFilters ?? {},
    expires_at: principal.expiresAt ?? null,
    via: principal.via,
  };
}

const filterValue = {
  oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
};

/** OpenAPI schema of the fixed filters: query-filter parameters, like GET /v1/events takes. */
export const FIXED_FILTERS_SCHEMA = {
  type: 'object',
  description:
    'Fixed filters: filter parameters of GET /v1/events (action, ancestor, target_id, context.<key>, …) without from, to, sort, limit, cursor and q.',
  additionalProperties: filterValue,
  example: { ancestor: 'project:p1' },
};

export const SESSION_SCHEMA = {
  type: 'object',
  required: ['subject', 'company_id', 'roles', 'permissions', 'filters', 'expires_at', 'via'],
  properties: {
    subject: { type: 'string' },
    company_id: { type: 'string', nullable: true, description: 'null for installation admins' },
    roles: { type: 'array', items: { type: 'string', enum: [...ROLES] } },
    permissions: { type: 'array', items: { type: 'string', enum: [...PERMISSIONS, 'tail'] } },
    filters: FIXED_FILTERS_SCHEMA,
    expires_at: { type: 'string', format: 'date-time', nullable: true },
    via: { type: 'string', enum: ['jwt', 'viewer', 'siem_key'] },
  },
};

/** `GET /v1/session`: who the bearer is, for the console (any valid JWT or viewer session). */
@ApiTags('session')
/** 'jwt': the bearer scheme every app's document declares (libs/platform openapi.ts). */
@ApiBearerAuth('jwt')
@Controller('v1/session')
@UseGuards(JwtAuthGuard)
export class SessionController {
  @Get()
  @ApiOperation({
    summary: 'Who the caller is: subject, company, roles, permissions, fixed filters',
  })
  @ApiOkResponse({ schema: SESSION_SCHEMA })
  @ApiResponse({
    status: 401,
    description: 'No, an expired or an invalid bearer token',
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  })
  session(@CurrentPrincipal() principal: Principal): SessionView {
    return sessionView(principal);
  }
}
