// core (pure): raw bytes --> everything the router decides about a message, steps 4-7 of DESIGN.md.
// `mailroute classify` and the pipeline both call this, so what the CLI shows is what the Lambda does.
import type { RouterConfig } from '../config/schema.js';
import { detectAutomated } from './automated.js';
import { classify } from './classify/index.js';
import { decide } from './decide.js';
import { parseMail } from './parse.js';
import type { AutomatedVerdict, Classification, InboundMail, RoutingDecision } from './types.js';

export interface Analysis {
  mail: InboundMail;
  automated: AutomatedVerdict;
  classification: Classification;
  decision: RoutingDecision;
}

export async function analyze(
  raw: Uint8Array,
  config: RouterConfig,
  functionalAddress: string,
): Promise<Analysis> {
  const mail = await parseMail(raw);
  return analyzeParsed(mail, config, functionalAddress);
}

export function analyzeParsed(mail: InboundMail, config: RouterConfig, functionalAddress: string): Analysis {
  const automated = detectAutomated(mail);
  const classification: Classification = automated.automated
    ? { category: 'other', confidence: 1, reasons: automated.reasons }
    : classify(mail, { functionalAddress });
  const decision = decide({ classification, automated, functionalAddress }, config);
  return { mail, automated, classification, decision };
}
