import jwt, { type SignOptions } from 'jsonwebtoken';

export interface TokenClaims {
  sub?: string;
  company_id?: string;
  roles?: string[];
  [claim: string]: unknown;
}

export function ownerToken(secret: string, companyId: string, options: SignOptions = {}): string {
  return mintToken(
    secret,
    { sub: `owner@${companyId}`, company_id: companyId, roles: ['company_owner'] },
    options,
  );
}

export function adminToken(secret: string, options: SignOptions = {}): string {
  return mintToken(secret, { sub: 'admin', roles: ['installation_admin'] }, options);
}

export function mintToken(secret: string, claims: TokenClaims, options: SignOptions = {}): string {
  return jwt.sign(claims, secret, { algorithm: 'HS256', expiresIn: '15m', ...options });
}
