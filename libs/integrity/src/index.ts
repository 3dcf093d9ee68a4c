export * from './merkle';
export * from './windows';
export * from './keys';
export * from './installation-keys';
export * from './digest';
export * from './verifier';
export * from './offline';
