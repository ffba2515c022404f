// local stack --> (local verdicts) --> the SES verdicts of a message that came in over the local SMTP
// port. The local stand-in checks no SPF, DKIM or DMARC of its own, so what SES would have said is set
// here: `MAILROUTE_LOCAL_VERDICTS` (see README, "Running locally"). By default a client on loopback
// (someone on this machine, trying the router) counts as authenticated, anyone else as unchecked, so a
// stack opened to the network with MAILROUTE_HOST never acknowledges to a sender it cannot verify.
import { type SesVerdicts, VERDICT_NAMES } from '../core/verdicts.js';

export const LOCAL_VERDICTS_ENV = 'MAILROUTE_LOCAL_VERDICTS';

/** `default`: PASS on loopback, GRAY elsewhere; otherwise the same verdicts for every client. */
export type LocalVerdictRule = { kind: 'default' } | { kind: 'fixed'; verdicts: SesVerdicts };

/**
 * Reads the variable: unset or `default`; `pass` (every verdict PASS); `unchecked` (SPF, DKIM and
 * DMARC GRAY: no acknowledgements); or `name=STATUS` pairs over all PASS, e.g. `dmarc=FAIL,dkim=FAIL`.
 * Throws an error that names the variable.
 */
export function parseLocalVerdicts(spec: string | undefined): LocalVerdictRule {
  const value = (spec ?? '').trim();
  if (value === '' || value.toLowerCase() === 'default') return { kind: 'default' };
  if (value.toLowerCase() === 'pass') return { kind: 'fixed', verdicts: allPass() };
  if (value.toLowerCase() === 'unchecked') return { kind: 'fixed', verdicts: unchecked() };
  const verdicts = allPass();
  for (const pair of value.split(',')) {
    const [rawName, rawStatus] = pair.split('=').map((part) => part.trim());
    const name = (rawName ?? '').toLowerCase();
    const status = (rawStatus ?? '').toUpperCase();
    if (name === 'dmarcpolicy' && /^(NONE|QUARANTINE|REJECT)$/.test(status)) {
      verdicts.dmarcPolicy = status.toLowerCase();
      continue;
    }
    if (
      !(VERDICT_NAMES as readonly string[]).includes(name) ||
      !/^(PASS|FAIL|GRAY|PROCESSING_FAILED)$/.test(status)
    ) {
      throw new Error(
        `${LOCAL_VERDICTS_ENV}=${value}: "${pair}" is not name=STATUS (names: ${VERDICT_NAMES.join(', ')}, dmarcPolicy; statuses: PASS, FAIL, GRAY, PROCESSING_FAILED), nor default, pass or unchecked`,
      );
    }
    verdicts[name as (typeof VERDICT_NAMES)[number]] = status;
  }
  return { kind: 'fixed', verdicts };
}

/** The verdicts for a message from the SMTP client at `remoteAddress`. */
export function localVerdictsFor(rule: LocalVerdictRule, remoteAddress: string | undefined): SesVerdicts {
  if (rule.kind === 'fixed') return { ...rule.verdicts };
  return isLoopback(remoteAddress ?? '') ? allPass() : unchecked();
}

function isLoopback(address: string): boolean {
  return /^(127\.|::1$|::ffff:127\.)/.test(address);
}

function allPass(): SesVerdicts {
  return { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' };
}

function unchecked(): SesVerdicts {
  return { spam: 'PASS', virus: 'PASS', spf: 'GRAY', dkim: 'GRAY', dmarc: 'GRAY' };
}
