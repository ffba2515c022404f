// Test helper, run in a child process: the local stack on a data folder, killed with SIGKILL at one
// step boundary of the message path (issue #11's crash-point test, test/integration/crash-points.test.ts).
//
//   MAILROUTE_DATA_DIR   the data folder (kept across runs)
//   CRASH_AT             after-store | after-claim | before-send | after-send | before-mark |
//                        before-acknowledgement-send | after-acknowledgement-send (unset: no crash)
//   MODE                 serve (default): print {"smtpPort": N} once mail is taken, stop on SIGTERM;
//                        check: run reconcile (grace 0), print the records and the report, exit.
import { DEFAULT_ROUTER_CONFIG } from '../../functions/config/schema.js';
import type { LocalRouter } from '../../functions/local/local-router.js';
import { startSesCaptureServer } from '../../functions/local/ses-capture-server.js';
import { startStack } from '../../functions/local/stack.js';
import type { RoutingLog } from '../../functions/route-mail/ports.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const dataDir = process.env.MAILROUTE_DATA_DIR ?? '';
const crashAt = process.env.CRASH_AT ?? '';
const mode = process.env.MODE ?? 'serve';

function die(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
}

/** Wraps the adapters so the process dies at the chosen boundary, the first time it is crossed. */
function crashing(router: LocalRouter): void {
  const { deps, store } = router;
  if (crashAt === 'after-store') {
    const put = store.put.bind(store);
    store.put = async (...args) => {
      await put(...args);
      die();
    };
  }
  const log = deps.log;
  const wrapped: RoutingLog = {
    begin: async (record) => {
      const begun = await log.begin(record);
      if (crashAt === 'after-claim' && begun.created && record.status === 'claimed') die();
      return begun;
    },
    get: (id) => log.get(id),
    list: (query) => log.list(query),
    update: async (id, changes, expected, sendAttempts) => {
      // The router's own mark: `sending -> forwarded` (the confirm code's update accepts more states).
      const routerMark =
        changes.status === 'forwarded' && expected?.length === 1 && expected[0] === 'sending';
      if (crashAt === 'before-mark' && routerMark) die();
      return log.update(id, changes, expected, sendAttempts);
    },
    updateAcknowledgement: (id, changes, expected) => log.updateAcknowledgement(id, changes, expected),
    reserveAcknowledgement: (key, holder, nowSeconds, untilSeconds) =>
      log.reserveAcknowledgement(key, holder, nowSeconds, untilSeconds),
    ...(log.countArrival ? { countArrival: log.countArrival.bind(log) } : {}),
  };
  deps.log = wrapped;
  const sender = deps.sender;
  deps.sender = {
    send: async (mail) => {
      const point = mail.kind === 'acknowledgement' ? 'acknowledgement-send' : 'send';
      if (crashAt === `before-${point}`) die();
      const sent = await sender.send(mail);
      if (crashAt === `after-${point}`) die();
      return sent;
    },
  };
}

const inbox = await startSesCaptureServer({ keep: false });
const stack = await startStack({
  config: DEFAULT_ROUTER_CONFIG,
  dataDir,
  host: '127.0.0.1',
  smtpPort: 0,
  dynamoPort: 0,
  ses: { endpoint: inbox.endpoint },
  adapt: crashAt ? crashing : undefined,
  onRecovered: (report) => console.log(JSON.stringify({ recovered: report })),
});

if (mode === 'check') {
  const report = await stack.router.finishUnfinished();
  await stack.idle();
  const records = await stack.router.deps.log.list({});
  console.log(JSON.stringify({ report, records }));
  await stack.close();
  await inbox.close();
} else {
  console.log(JSON.stringify({ smtpPort: stack.smtp.port }));
  process.on('SIGTERM', () => {
    void stack
      .close()
      .then(() => inbox.close())
      .then(() => process.exit(0));
  });
}
