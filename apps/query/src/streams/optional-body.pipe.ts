import { type ArgumentMetadata, Injectable } from '@nestjs/common';
import { ProblemValidationPipe } from '@auditlog/platform';

/**
 * For bodies that are optional as a whole (`POST …/pause` with or without a reason): no body
 * at all reads as `{}`, then the DTO is validated as the global pipe would. The DTO is marked
 * `@ValidatedByOwnPipe()` so the global pipe leaves it to this one.
 */
@Injectable()
export class OptionalBodyPipe extends ProblemValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    return super.transform(value ?? {}, metadata);
  }

  protected override toValidate(metadata: ArgumentMetadata): boolean {
    return metadata.type === 'body' && metadata.metatype !== undefined;
  }
}
