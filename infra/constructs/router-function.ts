// mail queue --> (router function) --> reads S3, logs to DynamoDB, forwards via SES.
import { Duration, Validations } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { RouterConfig } from '../../functions/config/schema.js';
import { COMPILED_AUTOMATED_PHRASES } from '../../functions/core/automated.js';
import * as phraseTables from '../../functions/core/automated-phrases.js';
import {
  assertAutomatedPhrasesCompiled,
  COMPILED_AUTOMATED_PHRASES_FILE,
} from '../../functions/core/automated-tables.js';
import { COMPILED_LEXICON } from '../../functions/core/classify/features.js';
import { assertCompiledFrom } from '../../functions/core/classify/lexicon.js';
import { ICONV_TABLES } from '../../functions/lambda-shims/iconv-lite-tables.js';
import type { DataKey } from './data-key.js';
import { MailrouteFunction } from './mailroute-function.js';
import type { RoutingLogTable } from './routing-log-table.js';
import type { SendingIdentity } from './sending-identity.js';
import { grantReadStoredMail } from './stored-mail-access.js';

export const ROUTER_ENTRY = 'functions/route-mail/handler.ts';

/**
 * Sized for the largest message SES accepts through the S3 action, 40 MB:
 * - memory 2048 MB: the raw bytes (40 MB), the parsed copy (mailparser holds decoded parts; ~34x the
 *   size of the *text* parts, measured at ~340 MB for a 10 MB text body), the forwarded MIME (~40 MB)
 *   and its base64 form in the SES request (~54 MB) fit with room for GC. Lambda gives CPU in
 *   proportion to memory; 2048 MB is ~1.2 vCPU, which keeps parsing of a 10 MB text body near 4 s.
 * - timeout 120 s: S3 read and SES send of 40 MB take a few seconds each, parsing the worst case
 *   (10 MB of text) ~4 s; 120 s leaves a wide margin without letting a hung call hold the message
 *   for long (the queue's visibility timeout is 6 x this).
 */
export const ROUTER_MEMORY_MB = 2048;
export const ROUTER_TIMEOUT = Duration.seconds(120);

export interface RouterFunctionProps {
  dataKey: DataKey;
  /** The key of the mail bucket: reading a message needs kms:Decrypt on it. */
  inboxKey: DataKey;
  routerConfig: RouterConfig;
  bucket: s3.IBucket;
  /** The prefixes SES stores under; the router may read only those. */
  inboundPrefixes: string[];
  routingLog: RoutingLogTable;
  sendingIdentity: SendingIdentity;
  retentionDays: number;
  reservedConcurrency: number;
  logLevel: string;
}

/** What pdf.js needs to extract text in Node: its module, its worker, and its package.json. */
export const PDFJS_FILES = [
  'pdfjs-dist/package.json',
  'pdfjs-dist/legacy/build/pdf.mjs',
  'pdfjs-dist/legacy/build/pdf.worker.mjs',
];

/**
 * iconv-lite's Chinese, Korean and Big5 tables, which the bundle's iconv-lite stand-in reads on first use
 * (functions/lambda-shims/iconv-lite-tables.ts) instead of carrying them (~350 KB of the bundle).
 */
export const ICONV_TABLE_FILES: string[] = Object.values(ICONV_TABLES);

/**
 * The data compiled or trained at build time (the classifier's lexicons and model, the automated-mail
 * phrases), read at init as JSON from beside the bundle (functions/core/shipped-table.ts) instead of
 * compiled by V8 as part of it. Each is read by the same name beside its module in the repository.
 */
export const SHIPPED_TABLE_PATHS: string[] = [
  'functions/core/classify/lexicons.compiled.json',
  'functions/core/classify/model.json',
  COMPILED_AUTOMATED_PHRASES_FILE,
];

/**
 * The route-mail Lambda and what it may touch: GetObject under the inbound prefixes, item access on the
 * routing log, SendRawEmail as the router's identity, and the loop-marker secret.
 */
export class RouterFunction extends Construct {
  readonly handler: MailrouteFunction;
  /** HMAC key that signs the router's loop-marker header (generated, encrypted with the data key). */
  readonly loopSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: RouterFunctionProps) {
    super(scope, id);
    // The function ships the lexicons and the automated-mail phrases compiled (npm run lexicons), beside its
    // bundle: never stale ones.
    assertCompiledFrom(COMPILED_LEXICON);
    assertAutomatedPhrasesCompiled(COMPILED_AUTOMATED_PHRASES, phraseTables);
    this.loopSecret = new secretsmanager.Secret(this, 'LoopSecret', {
      description: 'mailroute: HMAC key for the loop-marker header of forwarded mail',
      encryptionKey: props.dataKey.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    this.handler = new MailrouteFunction(this, 'Router', {
      entry: ROUTER_ENTRY,
      description: 'mailroute: classify and forward one received message',
      routerConfig: props.routerConfig,
      memorySize: ROUTER_MEMORY_MB,
      timeout: ROUTER_TIMEOUT,
      reservedConcurrentExecutions: props.reservedConcurrency,
      logLevel: props.logLevel,
      logRetentionDays: props.retentionDays,
      // pdf.js reads PDF letters (invitations often come as one), the iconv-lite tables mail in legacy
      // Chinese and Korean charsets; each loaded on first use only.
      sideLoadedModuleFiles: [...PDFJS_FILES, ...ICONV_TABLE_FILES],
      filesBesideBundle: SHIPPED_TABLE_PATHS,
      environment: {
        ROUTING_TABLE_NAME: props.routingLog.table.tableName,
        MAIL_BUCKET_NAME: props.bucket.bucketName,
        MAILROUTE_RETENTION_DAYS: String(props.retentionDays),
        MAILROUTE_LOOP_SECRET_ARN: this.loopSecret.secretArn,
      },
    });
    const role = this.handler.role;
    grantReadStoredMail(role, props);
    props.routingLog.grant(role, 'route');
    props.sendingIdentity.grantSend(role);
    this.loopSecret.grantRead(role);
    Validations.of(this.loopSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The loop-marker HMAC key must stay stable: after a rotation the router would no longer recognise its own marker on mail it forwarded earlier (replies, auto-replies, bounces), and a loop could pass.',
    });
  }
}
