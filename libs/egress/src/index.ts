export * from './address';
export * from './egress-refused.error';
export * from './policy';
export * from './guarded-lookup';
export * from './destination-url';
