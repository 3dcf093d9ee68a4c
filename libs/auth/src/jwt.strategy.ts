import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { KeyObject } from 'node:crypto';
import { passportJwtSecret } from 'jwks-rsa';
import { ExtractJwt, Strategy, type StrategyOptionsWithoutRequest } from 'passport-jwt';
import type { Algorithm } from 'jsonwebtoken';
import { APP_CONFIG, type AppConfig, type AuthConfig } from '@auditlog/config';
import { ProblemException } from '@auditlog/problem';
import { unauthenticated } from './jwt-auth.guard';
import { PERMISSIONS, type Principal, type Role, ROLES } from './principal';
import { hmacKey, type KeyProvider, keyObjectProvider, publicKey } from './verification-key';

/** Algorithms are pinned by key type so a token can never choose how it is verified. */
interface KeyOptions {
  secretOrKey?: KeyObject;
  secretOrKeyProvider?: KeyProvider<unknown>;
  algorithms: Algorithm[];
}

function keyOptions(auth: AuthConfig): KeyOptions {
  if (auth.jwksUrl) {
    return {
      secretOrKeyProvider: keyObjectProvider(
        passportJwtSecret({
          jwksUri: auth.jwksUrl,
          cache: true,
          cacheMaxAge: 10 * 60_000,
          rateLimit: true,
          jwksRequestsPerMinute: 10,
        }),
      ),
      algorithms: ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256'],
    };
  }
  if (auth.jwtPublicKey) {
    const key = publicKey(auth.jwtPublicKey);
    const type = key.asymmetricKeyType;
    const algorithms: Algorithm[] =
      type === 'ec'
        ? ['ES256', 'ES384', 'ES512']
        : ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    return { secretOrKey: key, algorithms };
  }
  return {
    secretOrKey: auth.jwtSecret ? hmacKey(auth.jwtSecret) : undefined,
    algorithms: ['HS256'],
  };
}

function claim(payload: Record<string, unknown>, path: string): unknown {
  if (path in payload) return payload[path];
  return path
    .split('.')
    .reduce<unknown>(
      (value, key) =>
        typeof value === 'object' && value !== null
          ? (value as Record<string, unknown>)[key]
          : undefined,
      payload,
    );
}

function forbidden(detail: string): ProblemException {
  return new ProblemException(403, 'forbidden', 'Forbidden', detail);
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly auth: AuthConfig;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      ignoreExpiration: false,
      issuer: config.auth.issuer,
      audience: config.auth.audience,
      ...keyOptions(config.auth),
    } as StrategyOptionsWithoutRequest);
    this.auth = config.auth;
  }

  validate(payload: Record<string, unknown>): Principal {
    if (typeof payload.exp !== 'number') {
      throw unauthenticated('The token must carry an exp claim.');
    }
    const rawRoles = claim(payload, this.auth.rolesClaim);
    const roles = (Array.isArray(rawRoles) ? rawRoles : []).filter((role): role is Role =>
      (ROLES as readonly unknown[]).includes(role),
    );
    if (roles.length === 0) throw forbidden('The token carries no audit-log role.');
    const company = claim(payload, this.auth.companyClaim);
    const companyId = typeof company === 'string' && company !== '' ? company : undefined;
    if (!roles.includes('installation_admin') && !companyId) {
      throw forbidden('A company owner token must carry a company claim.');
    }
    return {
      subject: typeof payload.sub === 'string' ? payload.sub : '',
      companyId,
      roles,
      via: 'jwt',
      permissions: [...PERMISSIONS, 'tail'],
      expiresAt: new Date(payload.exp * 1000).toISOString(),
    };
  }
}
