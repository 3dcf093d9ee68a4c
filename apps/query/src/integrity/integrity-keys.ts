export { type IntegrityKeys, loadIntegrityKeys } from '@auditlog/integrity';

export const INTEGRITY_KEYS = Symbol('INTEGRITY_KEYS');
