export * from './self-audit.service';
