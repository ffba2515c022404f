// operator (`mailroute replay`, locally and with --stack) --> (replay) --> the router again: what
// routing gave up on. In AWS the dead-letter queue holds it (SQS retried, then gave up); locally there
// is no queue, and the `failed` records are the same messages.
import type { SQSClient } from '@aws-sdk/client-sqs';
import { notificationForRecord } from '../reconcile/reconcile.js';
import type { RoutingStatus } from '../route-mail/ports.js';
import type { OperatorBackend } from './backend.js';

export interface ReplayedRecord {
  messageId: string;
  replayed: boolean;
  /** The record's status after the re-drive. */
  status?: RoutingStatus;
  error?: string;
}

/** Re-drives every `failed` record through the backend's router; one entry each, in log order. */
export async function replayFailed(
  backend: Pick<OperatorBackend, 'deps' | 'redrive'>,
): Promise<ReplayedRecord[]> {
  const { deps } = backend;
  const replayed: ReplayedRecord[] = [];
  for (const record of await deps.log.list({ status: 'failed' })) {
    try {
      await backend.redrive(notificationForRecord(deps.config, record));
      const after = await deps.log.get(record.id);
      replayed.push({ messageId: record.id, replayed: true, status: after?.status });
    } catch (error) {
      replayed.push({ messageId: record.id, replayed: false, error: (error as Error).message });
    }
  }
  return replayed;
}

/** Moves every message of `dlqUrl` to `targetUrl`; returns how many. */
export async function replayDeadLetters(
  dlqUrl: string,
  targetUrl: string,
  client?: SQSClient,
): Promise<number> {
  const { SQSClient, ReceiveMessageCommand, SendMessageCommand, DeleteMessageCommand } = await import(
    '@aws-sdk/client-sqs'
  );
  const sqs = client ?? new SQSClient({});
  let moved = 0;
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 60,
      }),
    );
    if (Messages.length === 0) return moved;
    for (const message of Messages) {
      if (message.Body === undefined || !message.ReceiptHandle) continue;
      await sqs.send(new SendMessageCommand({ QueueUrl: targetUrl, MessageBody: message.Body }));
      // Deleted only once sent on: a crash in between leaves a copy in both, and the router's
      // exactly-once record makes the second delivery a no-op.
      await sqs.send(new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: message.ReceiptHandle }));
      moved += 1;
    }
  }
}
