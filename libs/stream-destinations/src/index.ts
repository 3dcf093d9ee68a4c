export * from './destination';
export * from './destination-config';
export { createDestination } from './create-destination';
export { bulkDocumentId, ECS_VERSION, ecsDocument, ecsIndexTemplate } from './ecs-document';
export {
  verifyWebhookSignature,
  webhookSignatureHeader,
  WEBHOOK_DEFAULT_TOLERANCE_SECONDS,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from './webhook-signature';
