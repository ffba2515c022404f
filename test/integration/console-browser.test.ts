import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningConsole, startConsole } from '../../functions/console/server.js';
import { localBackend } from '../../functions/operate/local-backend.js';
import { REPO_ROOT } from '../helpers/corpus.js';
import { type Rig, type RigDeps, sqsEvent, startRig } from '../helpers/pipeline-rig.js';

/** Debian's chromium (.ci/run installs it); CHROMIUM_PATH names another build. */
const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (path): path is string => typeof path === 'string' && existsSync(path),
);
if (!CHROMIUM) {
  console.warn(
    'console-browser.test.ts: SKIPPED - no chromium at /usr/bin/chromium (apt-get install -y chromium, or set CHROMIUM_PATH)',
  );
}

const example = (name: string) => readFileSync(join(REPO_ROOT, 'examples', name));

describe.runIf(CHROMIUM)('the operator console in a real browser', { timeout: 120_000 }, () => {
  let rig: Rig;
  let deps: RigDeps;
  let running: RunningConsole;
  let browser: Browser;
  const ids: string[] = [];

  beforeAll(async () => {
    rig = await startRig();
    deps = await rig.freshDeps();
    for (const [name, to] of [
      ['01-invitation.eml', 'EUinternational@stockholm.se'],
      ['02-eu-funding.eml', 'EUinternational@stockholm.se'],
      ['03-delegation-visit.eml', 'protocol@stockholm.se'],
    ] as const) {
      const notification = await deps.deliver(example(name), { to });
      await deps.handle(sqsEvent(notification));
      ids.push(notification.mail.messageId);
    }
    const backend = localBackend({
      router: { deps, store: deps.store },
      dataDir: rig.dataDir,
      description: 'local stack (test)',
      env: { MAILROUTE_OPERATOR: 'browser-test' },
    });
    running = await startConsole({ backend, port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await running?.close();
    await rig?.close();
  });

  it('lists the routed messages with category, status and reasons', async () => {
    // Prepare
    const page = await browser.newPage();

    // Act
    await page.goto(running.url);
    const rows = await page.locator('table.log tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        id: tr.getAttribute('data-id'),
        cells: [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? ''),
      })),
    );

    // Assess
    expect(rows.map((row) => row.id).sort()).toEqual([...ids].sort());
    const byId = Object.fromEntries(rows.map((row) => [row.id, row.cells]));
    expect(byId[ids[0] as string]?.[4]).toBe('invitation');
    expect(byId[ids[1] as string]?.[4]).toBe('eu_matter');
    expect(byId[ids[2] as string]?.[4]).toBe('protocol_visit');
    expect(rows.every((row) => row.cells[6] === 'forwarded')).toBe(true);
    expect(byId[ids[2] as string]?.[7]).toContain('courtesy call');
    await page.close();
  });

  it('filters by category and by functional address', async () => {
    // Prepare
    const page = await browser.newPage();
    await page.goto(running.url);

    // Act
    await page.selectOption('select[name=address]', 'protocol@stockholm.se');
    await Promise.all([page.waitForURL(/address=/), page.click('form.filters button')]);
    const byAddress = await page
      .locator('table.log tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')));
    await page.goto(`${running.url}?category=eu_matter`);
    const byCategory = await page
      .locator('table.log tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')));

    // Assess
    expect(byAddress).toEqual([ids[2]]);
    expect(byCategory).toEqual([ids[1]]);
    await page.close();
  });

  it('reroutes from the detail view: the new group receives it and the correction shows', async () => {
    // Prepare
    const page = await browser.newPage();
    const sentBefore = rig.capture.sent.length;
    await page.goto(running.url);
    await page.click(`tr[data-id="${ids[0]}"] a`);

    // Act
    await page.selectOption('form.reroute select[name=category]', 'protocol_visit');
    await Promise.all([page.waitForURL(/done=/), page.click('form.reroute button')]);
    const done = await page.locator('p.done').textContent();
    const corrections = await page.locator('ul.corrections li').allTextContents();
    await page.click('a.reveal');
    const forward = await page.locator('pre.forward').textContent();
    await page.goto(running.url);
    const listed = await page.locator(`tr[data-id="${ids[0]}"] td.category`).textContent();

    // Assess
    expect(done).toContain('Rerouted from invitation to protocol_visit');
    expect(corrections).toHaveLength(1);
    expect(corrections[0]).toMatch(/browser-test \(console\) moved it from invitation .* to protocol_visit/);
    expect(rig.capture.sent.slice(sentBefore).map((email) => email.recipients)).toEqual([
      deps.config.categories.protocol_visit.group,
    ]);
    expect(forward).toMatch(/X-Mailroute-Category: protocol_visit/);
    expect(listed?.replace(/\s+/g, ' ').trim()).toBe('protocol_visit corrected');
    await page.close();
  });

  it('refuses a form posted from another page (no token) and a request under another host name', async () => {
    // Prepare
    const action = `${running.url}message/${ids[1]}/reroute`;

    // Act
    const forged = await fetch(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'category=other',
    });
    // fetch does not let a caller set Host; a DNS-rebound page's requests carry its own name.
    const rebound = await new Promise<{ status: number }>((resolve, reject) => {
      request(running.url, { headers: { host: `attacker.example:${running.port}` } }, (response) => {
        response.resume();
        resolve({ status: response.statusCode ?? 0 });
      })
        .on('error', reject)
        .end();
    });

    // Assess
    expect(forged.status).toBe(403);
    expect(rebound.status).toBe(421);
    expect((await deps.log.get(ids[1] as string))?.category).toBe('eu_matter');
  });
});
