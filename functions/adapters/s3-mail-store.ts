// pipeline --> (MailStore port) --> S3: reads the raw message SES stored, as a stream.
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { StoredOriginalAccess } from '../core/notice-message.js';
import type { MailLocation, MailStore, StoredMessage } from '../route-mail/ports.js';

/**
 * Reads raw messages from S3. The caller builds the S3Client: in Lambda the defaults; against s3rver
 * it must set `requestChecksumCalculation` and `responseChecksumValidation` to `WHEN_REQUIRED`, or a
 * streamed object comes back with aws-chunked framing inside.
 */
export class S3MailStore implements MailStore {
  constructor(
    private readonly client: S3Client,
    /** The bucket `list` walks; `open` uses whatever bucket the location names. */
    private readonly bucket: string,
  ) {}

  async open(location: MailLocation): Promise<StoredMessage> {
    const response = await this.client.send(
      new GetObjectCommand({ Bucket: location.bucket, Key: location.key }),
    );
    const body = response.Body;
    if (!body || !isAsyncIterable(body)) {
      throw new Error(`s3://${location.bucket}/${location.key}: no readable body`);
    }
    return { size: response.ContentLength, content: body };
  }

  /**
   * The S3 URI, the console page and the AWS CLI command of the stored original: each needs the
   * reader's own credentials (s3:GetObject on the inbound prefixes and kms:Decrypt through S3, which
   * the stack's stored-mail reader policy grants). Nothing is signed, so nothing expires.
   */
  async locate(location: MailLocation): Promise<StoredOriginalAccess> {
    return storedOriginalAccess(location, await this.client.config.region());
  }

  async *list(prefix: string): AsyncIterable<{ location: MailLocation; storedAt: Date; size: number }> {
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ContinuationToken: continuationToken,
        }),
      );
      for (const object of page.Contents ?? []) {
        if (!object.Key) continue;
        yield {
          location: { bucket: this.bucket, key: object.Key },
          storedAt: object.LastModified ?? new Date(0),
          size: object.Size ?? 0,
        };
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
  }
}

/** Where a stored original is and how a person with access fetches it; pure, so the tests read it directly. */
export function storedOriginalAccess(location: MailLocation, region: string): StoredOriginalAccess {
  const uri = `s3://${location.bucket}/${location.key}`;
  const query = new URLSearchParams({ region, bucketType: 'general', prefix: location.key });
  return {
    location: uri,
    consoleLink: `https://${region}.console.aws.amazon.com/s3/object/${encodeURIComponent(location.bucket)}?${query}`,
    command: `aws s3 cp "${uri}" original.eml --region ${region}`,
  };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
