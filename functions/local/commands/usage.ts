// operator --> (`mailroute COMMAND --help`) --> one paragraph per command: what it does, its options,
// whether it works against AWS (`--stack NAME`), and an example that runs in a fresh clone.

const AWS = `--stack NAME (or MAILROUTE_STACK) works on the deployed CloudFormation stack NAME with your usual
AWS credentials, profile and region instead of the local data folder.`;

const ID = `ID is a message id as \`mailroute log\` prints it: the full id, or a unique prefix of 8 or more characters.`;

export const COMMAND_USAGE: Record<string, string> = {
  serve: `usage: mailroute serve

Starts the embedded local stack (= npm start): SMTP in on 127.0.0.1:2525, the SES web inbox on
http://127.0.0.1:8005/, dynalite, and the operator console on http://127.0.0.1:8025/.
Ports: MAILROUTE_SMTP_PORT, MAILROUTE_SES_PORT, MAILROUTE_DYNAMODB_PORT, MAILROUTE_CONSOLE_PORT
(0 picks a free one). Local only.`,
  classify: `usage: mailroute classify [--json] [--to ADDRESS] PATH...

Classifies message files (or folders of them) without routing anything.
  --json        one JSON object a line
  --to ADDRESS  the functional address the files count as sent to
example: npx mailroute classify examples/`,
  route: `usage: mailroute route [--json] [--to ADDRESS] PATH...

Runs the whole pipeline on the local stack (the running one, or the data folder): logs and forwards.
example: npx mailroute route examples/`,
  log: `usage: mailroute log [--json] [--since 24h] [--category C] [--status S] [--limit N] [--stack NAME]

Reads the routing log, newest first. AUTO marks automated mail, * a message staff corrected.
${AWS}
example: npx mailroute log --since 1h --status quarantined`,
  show: `usage: mailroute show ID [--json] [--stack NAME]

One message: the record, its reasons, confidence, verdicts, corrections and history, the subject and
sender (read from the stored message now, never kept in the log) and the forward's header block.
${ID}
${AWS}`,
  release: `usage: mailroute release [--json] [--by NAME] ID... [--stack NAME]

Routes quarantined messages after all (verdicts, loop checks and rate limit waived; a virus verdict
still sends text only). The quarantine's reasons, who released it and when are kept in the record's
history (mailroute show ID), as the console's Release does. --by defaults to MAILROUTE_OPERATOR, the
login name, or in AWS the caller's identity. A table for people; --json one JSON object a message.
${ID}
${AWS}
example: npx mailroute release 3f2a9c1d   (the held ones: npx mailroute log --status quarantined)`,
  reroute: `usage: mailroute reroute ID (--category C | --group ADDRESS) [--by NAME] [--json] [--stack NAME]

A person's correction: delivers the message to the right group and records it on the message
(from, to, who, when). --category takes invitation, protocol_visit, eu_matter or other (the triage
group); --group takes a configured group address (never any other address). --by defaults to
MAILROUTE_OPERATOR, the login name, or in AWS the caller's identity.
${ID}
${AWS}
example: npx mailroute reroute 3f2a9c1d --category eu_matter`,
  corrections: `usage: mailroute corrections export DIR [--since 30d] [--stack NAME]

Writes every message staff corrected as DIR/<id>.eml with a line in DIR/labels.jsonl (the corrected
category), the format npm run train reads: npm run train -- DIR retrains the model with them.
${AWS}`,
  status: `usage: mailroute status [--json] [--stack NAME]

What needs a person. Locally: the stack, failed, quarantined and unconfirmed messages, what reconcile
would re-drive. In AWS also: the active SES receipt rule set against the configured addresses, the
sender identity (verification, DKIM, MAIL FROM), sandbox or production and the sending quota, the
dead-letter queue, alarms in ALARM, the last reconcile run. Exits 1 when something needs action.
${AWS}`,
  console: `usage: mailroute console [--port N] [--stack NAME]

The operator console on http://127.0.0.1:8025/ (MAILROUTE_CONSOLE_PORT): the routing log with filters,
a detail view, release and reroute, the quarantine. Loopback only; in AWS mode it runs on your machine
with your credentials. npm start runs it beside the local stack.
${AWS}`,
  replay: `usage: mailroute replay [--json] [--dlq QUEUE_URL --to QUEUE_URL] [--stack NAME]

Locally: re-drives every failed record (a table of what each became). With --stack: moves the
dead-letter queue back to the router queue (both from the stack's outputs). --dlq/--to name any two
queues. --json: one JSON object a message, or {"moved": N} for a queue.`,
  resend: `usage: mailroute resend [--json] [--force] ID... [--stack NAME]

Sends a message again: one left sending, claimed, failed or received; a send SES confirmed
(forwarded) only with --force. With --stack it goes back to the router queue. A table for people;
--json one JSON object a message.
${ID}`,
  reconcile: `usage: mailroute reconcile [--json] [--grace-minutes N] [--stack NAME]

Re-drives stored messages without a final record after the grace period; sends again those left in
sending without a Send event. A table of what it did and a summary; --json the whole report as one
JSON object. With --stack it walks the S3 bucket and re-drives through the router queue, as the
scheduled reconcile function does.`,
};

export function commandUsage(command: string): string | undefined {
  return COMMAND_USAGE[command];
}
