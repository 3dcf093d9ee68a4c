import { hostname } from 'node:os';
import { BulkSender } from './bulk.destination';
import { DatadogSender } from './datadog.destination';
import type { ResolvedOptions } from './resolved-options';
import type { Destination, DestinationConfig, DestinationOptions } from './destination';
import { SplunkHecSender } from './splunk-hec.destination';
import { SyslogSender } from './syslog.destination';
import { WebhookSender } from './webhook.destination';

/**
 * The sender for one stream's destination. It holds connections (keep-alive HTTP, or the
 * syslog socket) until `close`; every connection goes through `options.lookup`.
 */
export function createDestination(
  config: DestinationConfig,
  options: DestinationOptions,
): Destination {
  const resolved: ResolvedOptions = {
    ...options,
    hostname: options.hostname ?? hostname(),
    productVersion: options.productVersion ?? '0.0.0',
    now: options.now ?? Date.now,
  };
  switch (config.type) {
    case 'splunk_hec':
      return new SplunkHecSender(config, resolved);
    case 'datadog':
      return new DatadogSender(config, resolved);
    case 'webhook':
      return new WebhookSender(config, resolved);
    case 'syslog':
      return new SyslogSender(config, resolved);
    case 'opensearch_bulk':
    case 'elasticsearch_bulk':
      return new BulkSender(config, resolved);
  }
}
