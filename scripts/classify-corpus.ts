// scripts --> labelled corpora read through the real pipeline steps (parse, automated-mail
// detection, feature extraction), shared by `npm run eval` and `npm run train`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ROUTER_CONFIG, findFunctionalAddress } from '../functions/config/schema.js';
import { detectAutomated } from '../functions/core/automated.js';
import { extractFeatures, type FeatureSet } from '../functions/core/classify/features.js';
import { parseMail } from '../functions/core/parse.js';
import {
  type AutomatedVerdict,
  CATEGORIES,
  type Category,
  type InboundMail,
} from '../functions/core/types.js';

export const DEV_CORPUS = '../shared/corpus/dev';
export const OWN_EXAMPLES = 'test/fixtures/classify';
/** Labelled batches written blind from the taxonomy alone, each scored before it was used. */
export const BLIND_CORPUS = 'corpus/blind';

/** The blind batches in the repository, in name order. */
export function blindBatches(): string[] {
  if (!existsSync(BLIND_CORPUS)) return [];
  return readdirSync(BLIND_CORPUS)
    .filter((name) => corpusExists(join(BLIND_CORPUS, name)))
    .sort()
    .map((name) => join(BLIND_CORPUS, name));
}

/** Everything the committed model learns from: the dev corpus (when present), the own examples, the blind batches. */
export function trainingCorpora(): string[] {
  return [DEV_CORPUS, OWN_EXAMPLES, ...blindBatches()];
}

export interface Label {
  file: string;
  category: Category;
  automated: boolean;
  language: string;
  difficulty: 'easy' | 'hard';
  note?: string;
}

export interface LabelledMessage {
  corpus: string;
  label: Label;
  mail: InboundMail;
  automated: AutomatedVerdict;
  functionalAddress: string;
  features: FeatureSet;
}

export function corpusExists(dir: string): boolean {
  return existsSync(join(dir, 'labels.jsonl'));
}

export function readLabels(dir: string): Label[] {
  return readFileSync(join(dir, 'labels.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      const label = JSON.parse(line) as Label;
      if (!CATEGORIES.includes(label.category)) throw new Error(`${dir}/${label.file}: unknown category`);
      return label;
    });
}

/**
 * The functional address a message reached. SES tells the Lambda; a stored .eml only has its
 * headers, so the first configured address among To and Cc stands in, else the board's mailbox.
 */
export function functionalAddressOf(mail: InboundMail): string {
  const recipients = [...mail.to, ...mail.cc].map((address) => address.address);
  for (const recipient of recipients) {
    const entry = findFunctionalAddress(DEFAULT_ROUTER_CONFIG, recipient);
    if (entry) return entry.address;
  }
  const board = DEFAULT_ROUTER_CONFIG.functionalAddresses.find((entry) =>
    /kommunstyrelsen/i.test(entry.address),
  );
  return (board ?? DEFAULT_ROUTER_CONFIG.functionalAddresses[0]!).address;
}

export async function readCorpus(dir: string): Promise<LabelledMessage[]> {
  const messages: LabelledMessage[] = [];
  for (const label of readLabels(dir)) {
    const mail = await parseMail(readFileSync(join(dir, label.file)));
    const functionalAddress = functionalAddressOf(mail);
    messages.push({
      corpus: dir,
      label,
      mail,
      automated: detectAutomated(mail),
      functionalAddress,
      features: extractFeatures(mail, { functionalAddress }),
    });
  }
  return messages;
}

/** Automated mail never reaches the classifier's decision, so it does not teach it either. */
export function trainable(messages: LabelledMessage[]): LabelledMessage[] {
  return messages.filter((message) => !message.label.automated);
}
