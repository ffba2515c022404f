// operator --> (the `mailroute` command) --> core for `classify`, the local stack for `serve`,
// `route` and `log`. Heavy modules load per command so `mailroute --help` stays instant.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { RouterConfig } from '../config/schema.js';
import { notMailOf, notMailReasons } from '../core/not-mail.js';
import type { LogQuery, RoutingRecord } from '../route-mail/ports.js';
import { forPeople, linesForPeople } from './for-people.js';
import type { LocalRouter } from './local-router.js';
import { messageFromFile } from './message-file.js';
import { functionalAddressOf } from './recipients.js';
import type { LocalSettings } from './settings.js';
import { type Column, formatRow, printTable } from './table.js';

// Local runs are on developer machines; the SDK's notice about future Node versions is for Lambda.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `mailroute classify --json DIR | head -3`: the reader has gone, which is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const USAGE = `usage: mailroute <command> [options]

  serve                                   start the embedded local stack (= npm start)
  classify [--json] [--to ADDRESS] PATH...  classify .eml files or folders of them; no side effects
  route [--json] [--to ADDRESS] PATH...     run the whole pipeline on the embedded stack
  log [--json] [--since 24h] [--category C] [--status S] [--limit N]
                                          read the routing log (works while serve runs)
  replay [--json] [--dlq QUEUE_URL --to QUEUE_URL]  re-drive failed messages (AWS: move a DLQ back)
  reconcile [--json] [--grace-minutes N]  finish stored messages without a final record (route what
                                          never went out, send again what SES never confirmed)
  release [--json] [--by NAME] ID...      route a quarantined message after all; kept in its history
  resend [--json] [--force] ID...         send a message again (a confirmed send only with --force)
  show ID [--json]                        one message: record, reasons, verdicts, subject and sender
  reroute ID (--category C | --group ADDRESS)  deliver to the right group; records the correction
  corrections export DIR                  corrected messages as labelled examples (npm run train -- DIR)
  status [--json]                         what needs a person; exit 1 when something does
  console [--port N]                      the operator console on http://127.0.0.1:8025/

Every command takes --help. All but serve, classify and route take --stack NAME (or MAILROUTE_STACK):
the deployed AWS stack instead of the data folder.
IDs may be shortened to a unique prefix of 8 or more characters.

PATH is a message file or a folder (every .eml, .msg, .raw, .txt or extension-less file in it
and its subfolders). --to picks the functional address the message counts as sent to; by
default the first configured one found in To/Cc.

environment: MAILROUTE_DATA_DIR (.mailroute), MAILROUTE_CONFIG (JSON overrides),
  MAILROUTE_HOST (127.0.0.1), MAILROUTE_SMTP_PORT (2525), MAILROUTE_SES_PORT (8005),
  MAILROUTE_DYNAMODB_PORT (4567), MAILROUTE_CONSOLE_PORT (8025), MAILROUTE_STACK (AWS mode)`;

class UsageError extends Error {}

interface Line {
  file: string;
  [key: string]: unknown;
}

async function main(argv: string[]): Promise<number> {
  const { takeGlobalOptions, commandUsage, VERSION_TEXT } = await import('./commands/global-options.js');
  const { stack, help, version, args } = takeGlobalOptions(argv, process.env);
  const [command, ...rest] = args;
  if (version) {
    console.log(VERSION_TEXT);
    return 0;
  }
  if (help) {
    if (command === undefined) {
      console.log(USAGE);
      return 0;
    }
    const usage = commandUsage(command);
    if (!usage) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    console.log(usage);
    return 0;
  }
  if (stack !== undefined || OPERATOR_COMMANDS.has(command ?? '')) {
    const operate = await import('./commands/operate.js');
    const open = stack !== undefined ? awsOpener(stack) : localOpener();
    switch (command) {
      case 'show':
        return operate.showCommand(rest, open);
      case 'reroute':
        return operate.rerouteCommand(rest, open);
      case 'corrections':
        return operate.correctionsCommand(rest, open);
      case 'status':
        return operate.statusCommand(rest, open);
      case 'console':
        return operate.consoleCommand(rest, open, consolePort());
      case 'log':
        return logCommand(rest, (query) => operate.readBackendLog(open, query));
      case 'release':
        return (await import('./commands/recovery.js')).releaseCommand(rest, open);
      case 'replay':
        return (await import('./commands/recovery.js')).replayCommand(rest, open);
      case 'reconcile':
        return (await import('./commands/recovery.js')).reconcileCommand(rest, open);
      case 'resend':
        return (await import('./commands/recovery.js')).resendCommand(rest, open);
      default:
        throw new UsageError(`${command ?? 'no command'}: works on the local stack only (without --stack)`);
    }
  }
  switch (command) {
    case 'serve':
      return serve();
    case 'classify':
      return classifyCommand(rest);
    case 'route':
      return routeCommand(rest);
    case 'log':
      return logCommand(rest);
    case 'help':
      if (rest[0]) return main([rest[0], '--help']);
      console.log(USAGE);
      return 0;
    case undefined:
    case '--help':
    case '-h':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

/** Commands built on the operator backend (functions/operate): the same code locally and in AWS. */
const OPERATOR_COMMANDS = new Set([
  'show',
  'reroute',
  'corrections',
  'status',
  'console',
  'release',
  'replay',
  'reconcile',
  'resend',
]);

function consolePort(): number {
  const value = process.env.MAILROUTE_CONSOLE_PORT;
  if (value === undefined || value === '') return 8025;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(`MAILROUTE_CONSOLE_PORT=${value} is not a port number (0 picks a free one)`);
  }
  return port;
}

function localOpener() {
  return async () => {
    const [[settings, config], { findRunningStack }, { localBackend }] = await Promise.all([
      settingsAndConfig(),
      import('./stack.js'),
      import('../operate/local-backend.js'),
    ]);
    const opened = await openLocalRouter(settings, config);
    return localBackend({
      router: opened.router,
      dataDir: settings.dataDir,
      description: `local stack, data folder ${settings.dataDir}`,
      running: await findRunningStack(settings.dataDir),
      close: opened.close,
    });
  };
}

function awsOpener(stackName: string) {
  return async (options: { needsLoopSecret?: boolean } = {}) => {
    const { openAwsBackend, deployedRouterConfig } = await import('../operate/aws-backend.js');
    return openAwsBackend({
      stackName,
      config: deployedRouterConfig(),
      needsLoopSecret: options.needsLoopSecret,
    });
  };
}

// --- classify -------------------------------------------------------------------------------

async function classifyCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' }, to: { type: 'string' } });
  const json = values.json === true;
  const files = await expandPaths(requirePaths(positionals));
  const [{ localSettings, localConfig }, { parseMailInStages }, { analyzeStaged }] = await Promise.all([
    import('./settings.js'),
    import('../core/parse.js'),
    import('../core/analyze.js'),
  ]);
  const config = localConfig(localSettings());
  const forced = forcedAddress(config, values.to);
  const output = new Output(json, files, CLASSIFY_COLUMNS);
  for (const entry of files) {
    output.progress();
    if ('error' in entry) {
      output.write(entry);
      continue;
    }
    try {
      const raw = messageFromFile(await readFile(entry.file));
      const staged = await parseMailInStages(raw);
      const functionalAddress = forced ?? functionalAddressOf(config, staged.mail);
      const { classification, decision, automated } = await analyzeStaged(staged, config, functionalAddress);
      // The router holds what is no mail at all before its category counts (functions/core/not-mail.ts).
      const notMail = notMailReasons(raw);
      output.warnNotMail(entry.file, notMail, 'route would quarantine it, not forward it');
      output.write({
        file: entry.file,
        category: decision.category,
        confidence: classification.confidence,
        automated: automated.automated,
        reasons: [...classification.reasons, ...decision.reasons, ...notMail],
        functionalAddress,
        disposition: notMail.length > 0 ? 'quarantine' : decision.disposition,
        recipients: notMail.length > 0 ? [] : decision.recipients,
      });
    } catch (error) {
      output.write({ file: entry.file, error: message(error) });
    }
  }
  return output.finish();
}

// --- route ----------------------------------------------------------------------------------

async function routeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' }, to: { type: 'string' } });
  const json = values.json === true;
  const files = await expandPaths(requirePaths(positionals));
  const [{ localSettings, localConfig }, { parseMailInStages }] = await Promise.all([
    import('./settings.js'),
    import('../core/parse.js'),
  ]);
  const settings = localSettings();
  const config = localConfig(settings);
  const forced = forcedAddress(config, values.to);
  const local = await openLocalRouter(settings, config);
  if (!json) console.error(local.description);
  const output = new Output(json, files, ROUTE_COLUMNS);
  try {
    for (const entry of files) {
      output.progress();
      if ('error' in entry) {
        output.write(entry);
        continue;
      }
      try {
        const raw = messageFromFile(await readFile(entry.file));
        // A message the parser cannot read is still routed (to triage, as an unread original).
        const mail = await parseMailInStages(raw).then(
          (staged) => staged.mail,
          () => undefined,
        );
        const functionalAddress =
          forced ??
          (mail ? functionalAddressOf(config, mail) : (config.functionalAddresses[0]?.address ?? ''));
        const outcome = await local.router.ingest({
          raw,
          recipients: [functionalAddress],
          envelopeFrom: mail?.from?.address ?? '',
        });
        if (outcome.ok) {
          const { result } = outcome;
          output.warnNotMail(
            entry.file,
            notMailOf(result.reasons),
            `${result.status}, not forwarded (mailroute show ${result.messageId.slice(0, 12)}; mailroute release ${result.messageId.slice(0, 12)} forwards it after all)`,
          );
          output.write({
            file: entry.file,
            category: result.category,
            confidence: result.confidence,
            automated: result.automated,
            reasons: result.reasons,
            messageId: result.messageId,
            disposition: result.disposition,
            forwardedTo: result.forwardedTo,
            status: result.status,
            duplicate: result.duplicate,
            functionalAddress,
          });
        } else {
          output.write({ file: entry.file, messageId: outcome.messageId, error: outcome.error.message });
        }
      } catch (error) {
        output.write({ file: entry.file, error: message(error) });
      }
    }
  } finally {
    await local.close();
  }
  return output.finish();
}

interface OpenRouter {
  router: LocalRouter;
  description: string;
  close(): Promise<void>;
}

/**
 * Routes through a running `mailroute serve` when there is one (its SES stand-in then keeps the
 * forwards and confirms them); otherwise opens the data folder itself, with an SES stand-in of its own
 * that keeps each forward as a file in `<data dir>/sent/` and delivers its Send event.
 */
async function openLocalRouter(settings: LocalSettings, config: RouterConfig): Promise<OpenRouter> {
  const [{ findRunningStack }, { createLocalRouter }, { localLoopSecret, dataPaths }] = await Promise.all([
    import('./stack.js'),
    import('./local-router.js'),
    import('./settings.js'),
  ]);
  const loopSecret = await localLoopSecret(settings.dataDir);
  const running = await findRunningStack(settings.dataDir);
  if (running) {
    const router = await createLocalRouter({
      config,
      dataDir: settings.dataDir,
      dynamoEndpoint: running.dynamodb.endpoint,
      sesEndpoint: running.ses.endpoint,
      loopSecret,
    });
    return {
      router,
      description: `routing through the running stack (pid ${running.pid}); forwards show in ${running.inbox ?? running.ses.endpoint}`,
      close: async () => router.close(),
    };
  }
  const [{ startDynalite }, { startSesStandIn }] = await Promise.all([
    import('./dynalite-server.js'),
    import('./ses-stand-in.js'),
  ]);
  const dynalite = await startDynalite({ path: dataPaths(settings.dataDir).dynamodb });
  let opened: LocalRouter | undefined;
  const ses = await startSesStandIn({
    dataDir: settings.dataDir,
    confirm: async (event) => {
      if (!opened) throw new Error('the router is not open yet');
      return opened.confirm(event);
    },
  });
  const router = await createLocalRouter({
    config,
    dataDir: settings.dataDir,
    dynamoEndpoint: dynalite.endpoint,
    sesEndpoint: ses.endpoint,
    loopSecret,
    configurationSetName: 'mailroute-local',
  });
  opened = router;
  // Send events a killed stack left: delivered before anything else, so no confirmed send goes twice.
  await ses.deliverPending();
  return {
    router,
    description: `no running stack: routing on ${settings.dataDir}; forwards are written to ${ses.sentDir}`,
    close: async () => {
      await ses.idle();
      router.close();
      await ses.close();
      await dynalite.close();
    },
  };
}

async function settingsAndConfig(): Promise<[LocalSettings, RouterConfig]> {
  const { localSettings, localConfig } = await import('./settings.js');
  const settings = localSettings();
  return [settings, localConfig(settings)];
}

// --- log ------------------------------------------------------------------------------------

async function logCommand(
  args: string[],
  read: (query: LogQuery) => Promise<RoutingRecord[]> = readLog,
): Promise<number> {
  const { values, positionals } = parse(args, {
    json: { type: 'boolean' },
    since: { type: 'string' },
    category: { type: 'string' },
    status: { type: 'string' },
    limit: { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`log takes no paths (got ${positionals.join(' ')})`);
  const { CATEGORIES } = await import('../core/types.js');
  const query: LogQuery = {};
  if (values.since) query.since = parseSince(values.since, new Date());
  if (values.category) {
    const category = CATEGORIES.find((known) => known === values.category);
    if (!category) throw new UsageError(`--category must be one of ${CATEGORIES.join(', ')}`);
    query.category = category;
  }
  if (values.status) {
    const { ROUTING_STATUSES } = await import('../route-mail/ports.js');
    const status = ROUTING_STATUSES.find((known) => known === values.status);
    if (!status) throw new UsageError(`--status must be one of ${ROUTING_STATUSES.join(', ')}`);
    query.status = status;
  }
  if (values.limit) {
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1)
      throw new UsageError('--limit must be a positive whole number');
    query.limit = limit;
  }
  const records = await read(query);
  if (values.json === true) {
    for (const record of records) console.log(JSON.stringify(record));
    return 0;
  }
  printTable(records.map(logRow), LOG_COLUMNS);
  console.error(`${records.length} message${records.length === 1 ? '' : 's'}`);
  return 0;
}

async function readLog(query: LogQuery): Promise<RoutingRecord[]> {
  const [{ localSettings, dataPaths, ROUTING_TABLE }, { findRunningStack }, { localDynamoClient }, adapters] =
    await Promise.all([
      import('./settings.js'),
      import('./stack.js'),
      import('./aws-clients.js'),
      import('../adapters/dynamodb-routing-log.js'),
    ]);
  const settings = localSettings();
  const running = await findRunningStack(settings.dataDir);
  let close: () => Promise<void> = async () => {};
  let endpoint: string;
  if (running) {
    endpoint = running.dynamodb.endpoint;
  } else {
    const { startDynalite } = await import('./dynalite-server.js');
    const dynalite = await startDynalite({ path: dataPaths(settings.dataDir).dynamodb });
    endpoint = dynalite.endpoint;
    close = () => dynalite.close();
  }
  const client = await localDynamoClient(endpoint);
  try {
    await adapters.createRoutingTable(client, ROUTING_TABLE);
    return await new adapters.DynamoDbRoutingLog(client, ROUTING_TABLE).list(query);
  } finally {
    client.destroy();
    await close();
  }
}

/** `30m`, `24h`, `7d`, or an ISO date/time. */
function parseSince(value: string, now: Date): string {
  const relative = /^(\d+)\s*([mhd])$/.exec(value.trim());
  if (relative) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 'm' | 'h' | 'd'];
    return new Date(now.getTime() - Number(relative[1]) * unit).toISOString();
  }
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new UsageError(`--since ${value}: use e.g. 30m, 24h, 7d or 2026-04-20`);
  return new Date(time).toISOString();
}

function logRow(record: RoutingRecord): Record<string, string> {
  return {
    received: record.receivedAt.replace(/\.\d{3}Z$/, 'Z'),
    to: record.functionalAddress,
    from: record.senderDomain,
    // `*`: staff corrected the route (mailroute show ID says from what).
    category: `${record.category}${record.corrections?.length ? '*' : ''}`,
    conf: record.confidence.toFixed(2),
    status: record.status,
    auto: record.automated ? 'auto' : '',
    recipients: record.recipients.join(', '),
    id: record.id.slice(0, 12),
    reasons: [...new Set(record.reasons)].slice(0, 2).join('; '),
  };
}

// --- serve ----------------------------------------------------------------------------------

async function serve(): Promise<number> {
  const [{ localSettings, localConfig, ROUTING_TABLE }, stackModule] = await Promise.all([
    import('./settings.js'),
    import('./stack.js'),
  ]);
  const settings = localSettings();
  const config = localConfig(settings);
  const running = await stackModule.findRunningStack(settings.dataDir);
  if (running) {
    throw new Error(`a stack already runs on ${settings.dataDir} (pid ${running.pid}); stop it first`);
  }
  const { mkdir } = await import('node:fs/promises');
  await mkdir(settings.dataDir, { recursive: true });
  let stack: Awaited<ReturnType<typeof stackModule.startStack>>;
  try {
    stack = await stackModule.startStack({
      config,
      dataDir: settings.dataDir,
      host: settings.host,
      smtpPort: settings.smtpPort,
      dynamoPort: settings.dynamoPort,
      ses: { port: settings.sesPort },
      onRecovered: (report) => {
        const finished = report.redriven.length + report.resent.length;
        if (finished + report.confirmedSends + report.errors.length === 0) return;
        console.log(
          `${new Date().toISOString()}  finished what the last run left: ${report.confirmedSends} send${report.confirmedSends === 1 ? '' : 's'} confirmed, ${report.redriven.length} routed, ${report.resent.length} sent again, ${report.errors.length} failed`,
        );
      },
      onMessage: (outcome, recipients) => {
        if (outcome.ok) {
          const { result } = outcome;
          const where = result.forwardedTo.length > 0 ? ` -> ${result.forwardedTo.join(', ')}` : '';
          console.log(
            forPeople(
              `${new Date().toISOString()}  ${recipients.join(',')}  ${result.category} ${result.confidence.toFixed(2)}  ${result.status}${result.duplicate ? ' (duplicate)' : ''}${where}  ${result.messageId.slice(0, 12)}`,
            ),
          );
          const notMail = notMailOf(result.reasons);
          if (notMail.length > 0) {
            console.error(
              `  warning: not recognisable as mail (${notMail.join(', ')}): ${result.status}; mailroute release ${result.messageId.slice(0, 12)} forwards it after all`,
            );
          }
        } else {
          console.log(
            forPeople(
              `${new Date().toISOString()}  ${recipients.join(',')}  FAILED ${outcome.error.message}  (kept as ${outcome.location.key})  ${outcome.messageId.slice(0, 12)}`,
            ),
          );
        }
      },
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      const { port } = error as { port?: number };
      throw new Error(
        `port ${port} is in use; set MAILROUTE_SMTP_PORT, MAILROUTE_SES_PORT or MAILROUTE_DYNAMODB_PORT to another port`,
      );
    }
    throw error;
  }
  await stackModule.writeStackInfo(settings.dataDir, stack);
  const operatorConsole = await startLocalConsole(stack, settings.dataDir);
  const addresses = config.functionalAddresses.map((entry) => entry.address).join(', ');
  console.log(`mailroute local stack is running
  SMTP in (stands in for SES inbound)  smtp://${stack.smtp.host}:${stack.smtp.port}  accepts mail for ${addresses}
  SES out, web inbox                   ${stack.inbox}  (each send also in ${stack.sentDir})
  DynamoDB (dynalite)                  ${stack.dynamodb.endpoint}  table ${ROUTING_TABLE}
  operator console                     ${operatorConsole.url}
  data folder                          ${settings.dataDir}
In another terminal: "npx mailroute log" reads the routing log, "npx mailroute route FILE.eml" routes a file. Ctrl-C stops.`);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        console.error(`${signal} again: exiting without waiting`);
        process.exit(1);
      }
      stopping = true;
      console.log('stopping...');
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await operatorConsole.close();
  await stack.close();
  await stackModule.removeStackInfo(settings.dataDir);
  console.log('stopped');
  return 0;
}

/** The console over the stack `serve` runs (MAILROUTE_CONSOLE_PORT, 8025); a taken port is reported, not fatal. */
async function startLocalConsole(
  stack: { router: LocalRouter; smtp: { host: string; port: number }; inbox: string | undefined },
  dataDir: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const [{ startConsole }, { localBackend }] = await Promise.all([
    import('../console/server.js'),
    import('../operate/local-backend.js'),
  ]);
  const backend = localBackend({
    router: stack.router,
    dataDir,
    description: `local stack, data folder ${dataDir}`,
    running: { pid: process.pid, smtp: stack.smtp, inbox: stack.inbox },
  });
  const port = consolePort();
  try {
    return await startConsole({ backend, port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return { url: `not started: port ${port} is in use (set MAILROUTE_CONSOLE_PORT)`, close: async () => {} };
  }
}

// --- shared ---------------------------------------------------------------------------------

type Options = Parameters<typeof parseArgs>[0] extends infer T
  ? T extends { options?: infer O }
    ? O
    : never
  : never;

function parse<O extends Options>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(message(error));
  }
}

function requirePaths(positionals: string[]): string[] {
  if (positionals.length === 0) throw new UsageError('give at least one .eml file or folder');
  return positionals;
}

type FileEntry = { file: string } | { file: string; error: string };

/**
 * Files a folder holds that are messages: `.eml` and the other names test suites and mail
 * exports give raw MIME (`.msg`, `.raw`, `.txt`, `.mbox`, no extension). Labels, notes and
 * hidden files are not messages.
 */
const MESSAGE_FILE = /(^[^.]+$)|\.(eml|msg|raw|txt|mbox)$/i;

/** Files as given; a folder means every message file in it and its subfolders, in path order. */
async function expandPaths(paths: string[]): Promise<FileEntry[]> {
  const entries: FileEntry[] = [];
  for (const path of paths) {
    try {
      if ((await stat(path)).isDirectory()) {
        const names = (await readdir(path, { recursive: true, withFileTypes: true }))
          .filter((entry) => entry.isFile() && !entry.name.startsWith('.') && MESSAGE_FILE.test(entry.name))
          .map((entry) => join(entry.parentPath, entry.name))
          .sort();
        entries.push(...names.map((file) => ({ file })));
      } else {
        entries.push({ file: path });
      }
    } catch (error) {
      entries.push({ file: path, error: message(error) });
    }
  }
  return entries;
}

function forcedAddress(config: RouterConfig, to: string | undefined): string | undefined {
  if (to === undefined) return undefined;
  const match = config.functionalAddresses.find(
    (entry) => entry.address.toLowerCase() === to.trim().toLowerCase(),
  );
  if (!match) {
    const known = config.functionalAddresses.map((entry) => entry.address).join(', ');
    throw new UsageError(`--to ${to} is not a configured functional address (${known})`);
  }
  return match.address;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const CLASSIFY_COLUMNS: Column[] = [
  { key: 'file', title: 'FILE' },
  { key: 'category', title: 'CATEGORY' },
  { key: 'conf', title: 'CONF' },
  { key: 'auto', title: 'AUTO' },
  { key: 'disposition', title: 'DISPOSITION' },
  { key: 'reasons', title: 'REASONS' },
];

const ROUTE_COLUMNS: Column[] = [
  { key: 'file', title: 'FILE' },
  { key: 'category', title: 'CATEGORY' },
  { key: 'conf', title: 'CONF' },
  { key: 'status', title: 'STATUS' },
  { key: 'forwardedTo', title: 'FORWARDED TO' },
  { key: 'id', title: 'ID' },
];

const LOG_COLUMNS: Column[] = [
  { key: 'received', title: 'RECEIVED' },
  { key: 'to', title: 'TO' },
  { key: 'from', title: 'FROM DOMAIN' },
  { key: 'category', title: 'CATEGORY' },
  { key: 'conf', title: 'CONF' },
  { key: 'status', title: 'STATUS' },
  { key: 'auto', title: 'AUTO' },
  { key: 'recipients', title: 'RECIPIENTS' },
  { key: 'id', title: 'ID' },
  { key: 'reasons', title: 'REASONS' },
];

function humanRow(line: Line, columns: Column[]): Record<string, string> {
  if ('error' in line) {
    // The message goes in the last column, which is never padded or cut.
    const last = columns.at(-1)?.key ?? 'reasons';
    return { file: line.file, category: 'ERROR', [last]: String(line.error) };
  }
  const reasons = Array.isArray(line.reasons) ? (line.reasons as string[]) : [];
  return {
    file: line.file,
    category: String(line.category),
    conf: typeof line.confidence === 'number' ? line.confidence.toFixed(2) : '',
    auto: line.automated ? 'yes' : '',
    disposition: String(line.disposition ?? ''),
    reasons: reasons.slice(0, 3).join('; '),
    status: `${line.status ?? ''}${line.duplicate ? ' (duplicate)' : ''}`,
    forwardedTo: Array.isArray(line.forwardedTo) ? line.forwardedTo.join(', ') : '',
    id: typeof line.messageId === 'string' ? line.messageId.slice(0, 12) : '',
  };
}

/**
 * One line per file as it is done: JSON lines, or an aligned table whose first column is sized from
 * the file list up front. A progress bar goes to stderr only when a person watches it.
 */
class Output {
  private done = 0;
  private errors = 0;
  private readonly showProgress: boolean;
  private readonly widths: Record<string, number>;

  constructor(
    private readonly json: boolean,
    private readonly files: FileEntry[],
    private readonly columns: Column[],
  ) {
    this.showProgress = process.stderr.isTTY === true && files.length > 1 && !(json && !process.stdout.isTTY);
    const fileWidth = Math.max(4, ...files.map((entry) => forPeople(entry.file).length));
    this.widths = {
      file: fileWidth,
      category: 14,
      conf: 4,
      auto: 4,
      disposition: 11,
      status: 22,
      forwardedTo: 40,
      id: 12,
    };
    if (!json) this.print(Object.fromEntries(columns.map((column) => [column.key, column.title])));
  }

  progress(): void {
    if (!this.showProgress) return;
    const total = this.files.length;
    const width = 30;
    const filled = Math.round((this.done / total) * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${total}`);
  }

  write(line: Line): void {
    this.done += 1;
    if ('error' in line) this.errors += 1;
    if (this.showProgress) process.stderr.write('\r\x1b[K');
    if (this.json) console.log(JSON.stringify(line));
    else this.print(humanRow(line, this.columns));
  }

  /**
   * A file that is no mail at all (an image, an empty file, prose without headers) is said so on
   * stderr, whatever the output format: in a table its reasons are easily missed, in JSON not seen.
   */
  warnNotMail(file: string, reasons: string[], outcome: string): void {
    if (reasons.length === 0) return;
    if (this.showProgress) process.stderr.write('\r\x1b[K');
    console.error(
      forPeople(
        `mailroute: warning: ${file} is not recognisable as mail (${reasons.join(', ')}): ${outcome}`,
      ),
    );
  }

  /** Exit status: 1 when any file gave an error line. */
  finish(): number {
    if (this.showProgress) process.stderr.write('\r\x1b[K');
    if (!this.json) {
      console.error(
        `${this.done} file${this.done === 1 ? '' : 's'}${this.errors ? `, ${this.errors} with errors` : ''}`,
      );
    }
    return this.errors > 0 ? 1 : 0;
  }

  private print(row: Record<string, string>): void {
    console.log(formatRow(row, this.columns, this.widths));
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`mailroute: ${forPeople(error.message)}\n\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    if ((error as Error).name === 'CommandUsageError') {
      console.error(
        `mailroute: ${linesForPeople(message(error))} (mailroute ${process.argv[2] ?? ''} --help)`,
      );
      process.exitCode = 2;
      return;
    }
    console.error(`mailroute: ${linesForPeople(message(error))}`);
    process.exitCode = 1;
  },
);
