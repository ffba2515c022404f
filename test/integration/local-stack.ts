// Test helper: the embedded stack on free loopback ports, with the SES capture server standing in
// for aws-ses-v2-local so a test can see the exact bytes and recipients of every forward.
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { DEFAULT_ROUTER_CONFIG, type RouterConfig } from '../../functions/config/schema.js';
import type { IngestOutcome } from '../../functions/local/local-router.js';
import { type SesCaptureServer, startSesCaptureServer } from '../../functions/local/ses-capture-server.js';
import { type RunningStack, startStack } from '../../functions/local/stack.js';

export interface TestStack {
  stack: RunningStack;
  capture: SesCaptureServer;
  config: RouterConfig;
  /** Every message the SMTP server accepted, in order, with how it was routed. */
  outcomes: IngestOutcome[];
  /**
   * A nodemailer transport to the stack's SMTP port; pooled, so the server's greeting delay is paid once.
   * `sendMail` resolves once the stack answered 250 *and* finished routing (the stack routes after the 250).
   */
  smtp: { sendMail: nodemailer.Transporter['sendMail']; close(): void };
  /** Where the stack keeps one raw file per send. */
  dataDir: string;
  close(): Promise<void>;
}

export async function startTestStack(config: RouterConfig = DEFAULT_ROUTER_CONFIG): Promise<TestStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mailroute-stack-'));
  const capture = await startSesCaptureServer();
  const outcomes: IngestOutcome[] = [];
  const stack = await startStack({
    config,
    dataDir,
    host: '127.0.0.1',
    smtpPort: 0,
    dynamoPort: 0,
    ses: { endpoint: capture.endpoint },
    persist: false,
    onMessage: (outcome) => outcomes.push(outcome),
  });
  const transport = nodemailer.createTransport({
    host: stack.smtp.host,
    port: stack.smtp.port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: 1,
    // Nagle on the client against delayed ACKs on the server costs ~40 ms per message on loopback.
    getSocket: (_options, callback) => {
      const socket = connect({ host: stack.smtp.host, port: stack.smtp.port, noDelay: true });
      socket.once('error', (error) => callback(error, undefined));
      socket.once('connect', () => callback(null, { connection: socket }));
    },
  });
  const smtp = {
    sendMail: (async (mail: Parameters<nodemailer.Transporter['sendMail']>[0]) => {
      const info = await transport.sendMail(mail);
      await stack.idle();
      return info;
    }) as nodemailer.Transporter['sendMail'],
    close: () => transport.close(),
  };
  return {
    stack,
    capture,
    config,
    outcomes,
    smtp,
    dataDir,
    close: async () => {
      smtp.close();
      await stack.close();
      await capture.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
