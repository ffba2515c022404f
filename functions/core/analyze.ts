// core (pure): raw bytes --> everything the router decides about a message, steps 4-7 of DESIGN.md.
// `mailroute classify` and the pipeline both call this, so what the CLI shows is what the Lambda does.
import type { RouterConfig } from '../config/schema.js';
import { detectAutomated } from './automated.js';
import { classify } from './classify/index.js';
import { decide } from './decide.js';
import { parseMailInStages, type StagedMail } from './parse.js';
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
  return analyzeStaged(await parseMailInStages(raw), config, functionalAddress);
}

/** Confidence from which a message's own words settle its route and its PDFs stay unread. */
export const PDF_SKIP_CONFIDENCE = 0.9;

/** Judges the message on its own words first, and opens its PDFs only when those do not settle it. */
export async function analyzeStaged(
  staged: StagedMail,
  config: RouterConfig,
  functionalAddress: string,
): Promise<Analysis> {
  const first = analyzeParsed(staged.mail, config, functionalAddress);
  if (staged.unreadPdfs === 0 || settledWithoutPdfs(first)) return first;
  return analyzeParsed(await staged.withPdfText(), config, functionalAddress);
}

/**
 * Automated mail, or a confident category other than `other`. Otherwise the request may be in the
 * attached letter (a one-line cover note and a PDF is how embassies and networks often write).
 */
function settledWithoutPdfs({ automated, classification }: Analysis): boolean {
  if (automated.automated) return true;
  return classification.category !== 'other' && classification.confidence >= PDF_SKIP_CONFIDENCE;
}

export function analyzeParsed(mail: InboundMail, config: RouterConfig, functionalAddress: string): Analysis {
  const automated = detectAutomated(mail);
  const classification: Classification = automated.automated
    ? { category: 'other', confidence: 1, reasons: automated.reasons }
    : classify(mail, { functionalAddress });
  const decision = decide({ classification, automated, functionalAddress }, config);
  return { mail, automated, classification, decision };
}
