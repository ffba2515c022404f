// operator --> (local backend) --> the embedded stack's data folder: the routing log in dynalite, the
// folder mail store, and forwards through the local SES stand-in. Re-drives run the handler in process.
import { userInfo } from 'node:os';
import type { FolderMailStore } from '../adapters/folder-mail-store.js';
import { redriveThrough } from '../local/local-router.js';
import { reconcile } from '../reconcile/reconcile.js';
import type { PipelineDeps } from '../route-mail/pipeline.js';
import type { OperatorBackend } from './backend.js';
import { reconcileCheck, routingLogChecks, type StatusCheck } from './status.js';

export interface LocalBackendOptions {
  /** The local router's pipeline and store (a running stack's, or one opened on the data folder). */
  router: { deps: PipelineDeps; store: FolderMailStore };
  dataDir: string;
  description: string;
  /** The running `mailroute serve`, when there is one: its addresses go into `status`. */
  running?: { pid: number; smtp: { host: string; port: number }; inbox: string | undefined };
  close?: () => Promise<void>;
  env?: NodeJS.ProcessEnv;
}

export function localBackend(options: LocalBackendOptions): OperatorBackend {
  const { deps, store } = options.router;
  const env = options.env ?? process.env;
  const redrive = redriveThrough(deps);
  return {
    kind: 'local',
    description: options.description,
    deps: { ...deps, store },
    redrive,
    operator: async () => env.MAILROUTE_OPERATOR || safeUserName(),
    statusChecks: async (): Promise<StatusCheck[]> => {
      const addresses = deps.config.functionalAddresses.map((entry) => entry.address);
      const stack: StatusCheck = options.running
        ? {
            name: 'local.stack',
            ok: true,
            summary: `running (pid ${options.running.pid}): SMTP ${options.running.smtp.host}:${options.running.smtp.port} accepts ${addresses.join(', ')}`,
            details: { ...options.running, functionalAddresses: addresses, dataDir: options.dataDir },
          }
        : {
            name: 'local.stack',
            ok: true,
            summary: `not running (npm start starts it); data folder ${options.dataDir}`,
            details: { running: false, functionalAddresses: addresses, dataDir: options.dataDir },
          };
      // A dry run of reconcile: what it would re-drive now, without re-driving anything.
      const dryRun = await reconcile({
        config: deps.config,
        store,
        log: deps.log,
        now: deps.now,
        redrive: async () => undefined,
      });
      return [stack, ...(await routingLogChecks(deps)), reconcileCheck(dryRun, 'reconcile dry run now')];
    },
    close: options.close ?? (async () => undefined),
  };
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
