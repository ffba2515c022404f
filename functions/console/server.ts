// operator's browser --> (console, node:http on loopback) --> an operator backend: the routing log with
// filters, one message in detail, release and reroute, the quarantine. Server-rendered HTML, no script:
// every value escaped, every action a POST that carries this process's token and names a loopback host.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CATEGORIES } from '../core/types.js';
import { type OperatorBackend, RecordNotFound, resolveRecord } from '../operate/backend.js';
import { inspectMessage } from '../operate/inspect.js';
import { ReleaseError, releaseMessage } from '../operate/release.js';
import { configuredGroups, RerouteError, type RerouteTarget, rerouteMessage } from '../operate/reroute.js';
import { RESENDABLE, ResendError, resendMessage } from '../operate/resend.js';
import { sinceTime } from '../operate/since.js';
import { statusReport } from '../operate/status.js';
import { type LogQuery, type RoutingRecord, ROUTING_STATUSES as STATUSES } from '../route-mail/ports.js';
import { type Html, html } from './html.js';

export const DEFAULT_CONSOLE_PORT = 8025;

export interface ConsoleOptions {
  backend: OperatorBackend;
  /** 0 picks a free port. */
  port: number;
  /** Loopback only: the console acts with the operator's credentials. */
  host?: '127.0.0.1' | 'localhost' | '::1';
}

export interface RunningConsole {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const host = options.host ?? '127.0.0.1';
  const token = randomBytes(24).toString('hex');
  let port = options.port;
  const server: Server = createServer((request, response) => {
    handle(options.backend, token, port, request, response).catch((error: Error) => {
      if (!response.headersSent) page(response, 500, 'Error', html`<p class="error">${error.message}</p>`);
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(
  backend: OperatorBackend,
  token: string,
  port: number,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  // A page elsewhere cannot reach the console through a name that resolves to loopback (DNS rebinding).
  const hostHeader = String(request.headers.host ?? '');
  if (![`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(hostHeader)) {
    return page(response, 421, 'Wrong host', html`<p>Open the console as http://127.0.0.1:${port}/</p>`);
  }
  const url = new URL(request.url ?? '/', `http://${hostHeader}`);
  const path = url.pathname;
  if (request.method === 'POST') {
    const form = new URLSearchParams(await readBody(request));
    if (!sameToken(form.get('token') ?? '', token)) {
      return page(
        response,
        403,
        'Refused',
        html`<p>This form is not from this console. Reload the page.</p>`,
      );
    }
    const action = /^\/message\/([^/]+)\/(release|reroute)$/.exec(path);
    if (!action) return page(response, 404, 'Not found', html`<p>No such action.</p>`);
    return act(
      backend,
      decodeURIComponent(action[1] ?? ''),
      action[2] as 'release' | 'reroute',
      form,
      response,
    );
  }
  if (request.method !== 'GET') return page(response, 405, 'Not allowed', html``);
  if (path === '/') return listPage(backend, url, response, 'Routing log');
  if (path === '/quarantine') {
    url.searchParams.set('status', 'quarantined');
    return listPage(backend, url, response, 'Quarantine');
  }
  if (path === '/status.json') {
    const report = statusReport(
      backend.kind,
      backend.description,
      backend.deps.now(),
      await backend.statusChecks(),
    );
    response.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
    });
    response.end(JSON.stringify(report));
    return;
  }
  const detail = /^\/message\/([^/]+)$/.exec(path);
  if (detail) return detailPage(backend, token, decodeURIComponent(detail[1] ?? ''), url, response);
  return page(response, 404, 'Not found', html`<p>Nothing here. <a href="/">The routing log</a></p>`);
}

// --- pages ------------------------------------------------------------------------------------

async function listPage(backend: OperatorBackend, url: URL, response: ServerResponse, title: string) {
  const params = url.searchParams;
  const query: LogQuery = { limit: 500 };
  const since = params.get('since') ?? '';
  if (/^\d+[mhd]$/.test(since)) query.since = sinceTime(since, backend.deps.now());
  const category = CATEGORIES.find((known) => known === params.get('category'));
  if (category) query.category = category;
  const status = STATUSES.find((known) => known === params.get('status'));
  if (status) query.status = status;
  const address = (params.get('address') ?? '').toLowerCase();
  const records = (await backend.deps.log.list(query)).filter(
    (record) => !address || record.functionalAddress.toLowerCase() === address,
  );
  const addresses = backend.deps.config.functionalAddresses.map((entry) => entry.address);
  const option = (value: string, selected: string, label = value) =>
    html`<option value="${value}"${selected === value ? html` selected` : ''}>${label}</option>`;
  const filters = html`<form class="filters" method="get" action="${url.pathname}">
  <label>since <select name="since">${[
    option('', since, 'all time'),
    option('1h', since),
    option('24h', since),
    option('7d', since),
    option('30d', since),
  ]}</select></label>
  <label>category <select name="category">${[option('', category ?? '', 'any'), ...CATEGORIES.map((value) => option(value, category ?? ''))]}</select></label>
  ${
    url.pathname === '/quarantine'
      ? ''
      : html`<label>status <select name="status">${[option('', status ?? '', 'any'), ...STATUSES.map((value) => option(value, status ?? ''))]}</select></label>`
  }
  <label>to <select name="address">${[option('', address, 'any address'), ...addresses.map((value) => option(value.toLowerCase(), address, value))]}</select></label>
  <button type="submit">Filter</button>
</form>`;
  const rows = records.map(
    (record) => html`<tr data-id="${record.id}">
  <td><a href="/message/${encodeURIComponent(record.id)}">${record.id.slice(0, 12)}</a></td>
  <td>${record.receivedAt.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z')}</td>
  <td>${record.functionalAddress}</td>
  <td>${record.senderDomain}</td>
  <td class="category">${record.category}${record.corrections?.length ? html` <span class="mark" title="corrected by staff">corrected</span>` : ''}</td>
  <td>${record.confidence.toFixed(2)}</td>
  <td class="status status-${record.status}">${record.status}${record.automated ? html` <span class="mark" title="automated mail">auto</span>` : ''}</td>
  <td class="reasons">${uniqueReasons(record.reasons).slice(0, 3).join('; ')}</td>
</tr>`,
  );
  page(
    response,
    200,
    title,
    html`${filters}
<p class="count">${records.length} message${records.length === 1 ? '' : 's'}</p>
<table class="log"><thead><tr><th>id</th><th>received</th><th>to</th><th>from domain</th><th>category</th><th>conf</th><th>status</th><th>reasons</th></tr></thead>
<tbody>${rows}</tbody></table>`,
    backend,
  );
}

async function detailPage(
  backend: OperatorBackend,
  token: string,
  id: string,
  url: URL,
  response: ServerResponse,
) {
  let record: RoutingRecord;
  try {
    record = await resolveRecord(backend.deps, id);
  } catch (error) {
    if (error instanceof RecordNotFound)
      return page(response, 404, 'Not found', html`<p>${error.message}</p>`, backend);
    throw error;
  }
  const reveal = url.searchParams.get('reveal') === '1';
  const detail = reveal ? await inspectMessage(backend.deps, record) : undefined;
  const notice = url.searchParams.get('done');
  const problem = url.searchParams.get('error');
  const self = `/message/${encodeURIComponent(record.id)}`;
  const groups = configuredGroups(backend.deps.config);
  const actions = html`<section class="actions">
${
  record.status === 'quarantined'
    ? html`<form method="post" action="${self}/release"><input type="hidden" name="token" value="${token}"><button type="submit" name="release">Release</button></form>`
    : ''
}
${
  RESENDABLE.includes(record.status)
    ? html`<form method="post" action="${self}/resend" class="resend"><input type="hidden" name="token" value="${token}">${
        record.status === 'forwarded'
          ? html`<label><input type="checkbox" name="force" value="1"> SES confirmed the send: send it again anyway</label> `
          : ''
      }<button type="submit">Resend</button></form>`
    : ''
}
<form method="post" action="${self}/reroute" class="reroute">
  <input type="hidden" name="token" value="${token}">
  <label>Reroute to category <select name="category"><option value="">-</option>${CATEGORIES.map((category) => html`<option value="${category}">${category}</option>`)}</select></label>
  <label>or group <select name="group"><option value="">-</option>${groups.map((group) => html`<option value="${group}">${group}</option>`)}</select></label>
  <button type="submit">Reroute</button>
</form>
</section>`;
  const corrections = (record.corrections ?? []).map(
    (correction) =>
      html`<li class="correction">${correction.at}: ${correction.by} moved it from ${correction.from.category} (${correction.from.recipients.join(', ') || correction.from.status}) to ${correction.to.category} (${correction.to.recipients.join(', ')})</li>`,
  );
  const history = (record.history ?? []).map(
    (event) =>
      html`<li>${event.at}: ${event.action} by ${event.by}; it was ${event.status}: ${event.reasons.join('; ')}</li>`,
  );
  const verdicts = Object.entries(record.verdicts ?? {}).map(([name, value]) => `${name} ${value}`);
  page(
    response,
    200,
    `Message ${record.id.slice(0, 12)}`,
    html`${notice ? html`<p class="done">${notice}</p>` : ''}${problem ? html`<p class="error">${problem}</p>` : ''}
<dl class="record">
  <dt>id</dt><dd class="id">${record.id}</dd>
  <dt>received</dt><dd>${record.receivedAt} at ${record.functionalAddress}</dd>
  <dt>sender domain</dt><dd>${record.senderDomain}</dd>
  <dt>category</dt><dd class="category">${record.category}</dd>
  <dt>confidence</dt><dd>${record.confidence.toFixed(2)}${record.automated ? ' (automated mail)' : ''}</dd>
  <dt>status</dt><dd class="status">${record.status} (${record.disposition})${record.failedStep ? ` - failed at ${record.failedStep}: ${record.error ?? ''}` : ''}</dd>
  <dt>recipients</dt><dd class="recipients">${record.recipients.join(', ') || '-'}</dd>
  <dt>verdicts</dt><dd>${verdicts.join(', ') || '-'}</dd>
</dl>
<h2>Reasons</h2><ul class="reasons">${uniqueReasons(record.reasons).map((reason) => html`<li>${reason}</li>`)}</ul>
${corrections.length > 0 ? html`<h2>Corrections</h2><ul class="corrections">${corrections}</ul>` : ''}
${history.length > 0 ? html`<h2>History</h2><ul>${history}</ul>` : ''}
${actions}
<h2>Message</h2>
${
  detail
    ? html`<dl class="content"><dt>from</dt><dd class="from">${detail.from ?? '-'}</dd><dt>subject</dt><dd class="subject">${detail.subject ?? '-'}</dd></dl>
${detail.unreadable ? html`<p class="error">${detail.unreadable}</p>` : ''}
${detail.forwardHeaders ? html`<h3>The forward's header block</h3><pre class="forward">${detail.forwardHeaders}</pre>` : ''}`
    : html`<p>Subject, sender and the forward's headers are read from the stored message only when asked: <a class="reveal" href="${self}?reveal=1">show them</a>.</p>`
}`,
    backend,
  );
}

type Action = 'release' | 'reroute' | 'resend';

async function act(
  backend: OperatorBackend,
  id: string,
  action: Action,
  form: URLSearchParams,
  response: ServerResponse,
) {
  let target = `/message/${encodeURIComponent(id)}`;
  try {
    const record = await resolveRecord(backend.deps, id);
    target = `/message/${encodeURIComponent(record.id)}`;
    const by = `${await backend.operator()} (console)`;
    let done: string;
    if (action === 'release') {
      const result = await releaseMessage(backend.deps, record, by);
      done = `Released: ${result.status}${result.forwardedTo.length ? ` to ${result.forwardedTo.join(', ')}` : ''}`;
    } else if (action === 'resend') {
      await resendMessage(backend, record, { force: form.get('force') === '1' });
      const after = await backend.deps.log.get(record.id);
      done = `Sent again: ${after?.status ?? 'handed to the router'}`;
    } else {
      const category = form.get('category') ?? '';
      const group = form.get('group') ?? '';
      if (!category === !group) throw new RerouteError('choose a category or a group (one of them)');
      const reroute: RerouteTarget = category ? ({ category } as RerouteTarget) : { group };
      const { correction } = await rerouteMessage(backend.deps, record, reroute, by);
      done = `Rerouted from ${correction.from.category} to ${correction.to.category}: sent to ${correction.to.recipients.join(', ')}`;
    }
    redirect(response, `${target}?done=${encodeURIComponent(done)}`);
  } catch (error) {
    if (
      error instanceof RerouteError ||
      error instanceof ReleaseError ||
      error instanceof ResendError ||
      error instanceof RecordNotFound
    ) {
      return redirect(response, `${target}?error=${encodeURIComponent(error.message)}`);
    }
    throw error;
  }
}

// --- shared -----------------------------------------------------------------------------------

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
nav a{margin-right:1em}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25em .5em;border-bottom:1px solid #ddd;vertical-align:top}
.mark{font-size:11px;background:#eee;border-radius:3px;padding:0 .3em}.status-quarantined,.status-failed{color:#a40}
.done{background:#e6f4e6;padding:.5em}.error{background:#fbe9e7;padding:.5em}pre{background:#f6f6f6;padding:.5em;overflow:auto}
dl{display:grid;grid-template-columns:10em auto}.filters label,.actions form,.reroute label{margin-right:1em}.actions{margin:1em 0}`;

function page(
  response: ServerResponse,
  code: number,
  title: string,
  body: Html,
  backend?: OperatorBackend,
): void {
  const document = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title} - mailroute</title><style>${STYLE}</style></head>
<body><nav><a href="/">Routing log</a><a href="/quarantine">Quarantine</a><a href="/status.json">Status (JSON)</a>${backend ? html`<span class="backend">${backend.description}</span>` : ''}</nav>
<h1>${title}</h1>
${body}
</body></html>`;
  response.writeHead(code, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // No script runs on these pages, and none may be injected: subjects and reasons come from outside.
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  response.end(document.text);
}

function redirect(response: ServerResponse, location: string): void {
  response.writeHead(303, { location, 'cache-control': 'no-store' });
  response.end();
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Reasons as staff read them: each once, in order. */
export function uniqueReasons(reasons: string[]): string[] {
  return [...new Set(reasons)];
}
