import type { DestinationOptions } from './destination';

/** `DestinationOptions` with its defaults filled in by `createDestination`. */
export type ResolvedOptions = DestinationOptions &
  Required<Pick<DestinationOptions, 'hostname' | 'productVersion' | 'now'>>;
