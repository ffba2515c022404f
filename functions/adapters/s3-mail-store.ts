// pipeline --> (MailStore port) --> S3: reads the raw message SES stored, as a stream.
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
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

  /** A presigned GET; it stops working early if the signing role's session ends first. */
  async locate(location: MailLocation, validSeconds: number): Promise<{ link: string; expiresAt: Date }> {
    const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
    const link = await getSignedUrl(
      this.client,
      new GetObjectCommand({ Bucket: location.bucket, Key: location.key }),
      { expiresIn: validSeconds },
    );
    return { link, expiresAt: new Date(Date.now() + validSeconds * 1000) };
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

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
