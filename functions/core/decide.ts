// core (pure): classification + automated verdict + configuration --> where the message goes.
// Step 7 of DESIGN.md. Recipients come only from configuration: never from the message.
import { confidenceThresholdFor, findFunctionalAddress } from '../config/router-config.js';
import type { RouterConfig } from '../config/schema.js';
import type { AutomatedVerdict, Classification, RoutingDecision } from './types.js';

export interface DecisionInput {
  classification: Classification;
  automated: AutomatedVerdict;
  /** The functional address the message was delivered to (the SES recipient). */
  functionalAddress: string;
}

/**
 * How sure the classifier must be of a group to route a letter whose subject a responder would write
 * ("Automatic reply: Visit of the Governor"). Over blind batches 1-104 no responder under such a
 * subject was classified this surely; ten persons' letters were, and went to triage before.
 */
const CONFIDENT_OVER_RESPONDER_SUBJECT = 0.9;

/**
 * The doubts a classifier that is sure of a group outweighs, with how the routing record names such a
 * message: a responder's subject over a person's letter, an away note that asks or concedes (a person
 * who writes from a journey and still answers: all 21 such letters in blind batches 1-528 were
 * persons', and the 12 read this surely were read right), a machine's notice of its own. A calendar
 * answer with the attendee's words is not among them: the meeting it answers names the topic.
 */
const OUTWEIGHED_DOUBTS: Partial<Record<NonNullable<AutomatedVerdict['doubtFrom']>, string>> = {
  subject: "a letter under a responder's subject",
  body: 'a letter that opens like an away notice',
  generated: 'a notice the classifier is sure of',
};

export function decide(input: DecisionInput, config: RouterConfig): RoutingDecision {
  const { classification, automated } = input;
  const triage = triageGroupFor(config, input.functionalAddress);
  const otherTag = config.categories.other.tag;

  if (automated.automated) {
    return {
      category: 'other',
      disposition: 'suppress',
      recipients: [],
      subjectTag: otherTag,
      reasons: ['automated: logged, not forwarded'],
    };
  }

  // Looks automated, but not enough to suppress: a person of the address's triage group decides,
  // rather than the group of whatever topic the message (or the meeting it answers) is about.
  // A responder's subject or an away note over a letter the classifier is sure of is a person's
  // letter: responders say nothing of a matter, so they are never read this surely as one. A
  // machine's notice read this surely (a portal's reminder of a report due) goes to its group too.
  const sure =
    classification.category !== 'other' && classification.confidence >= CONFIDENT_OVER_RESPONDER_SUBJECT;
  const outweighed = sure && automated.doubtFrom ? OUTWEIGHED_DOUBTS[automated.doubtFrom] : undefined;
  if (automated.doubts?.length && !outweighed) {
    return {
      category: 'other',
      disposition: 'forward',
      recipients: triage,
      subjectTag: otherTag,
      reasons: ['maybe automated: to a person', ...automated.doubts],
    };
  }

  if (classification.category === 'other') {
    return {
      category: 'other',
      disposition: 'forward',
      recipients: triage,
      subjectTag: otherTag,
      reasons: [],
    };
  }

  const threshold = confidenceThresholdFor(config, classification.category);
  if (classification.confidence < threshold) {
    return {
      category: 'other',
      disposition: 'forward',
      recipients: triage,
      subjectTag: otherTag,
      reasons: [
        `low confidence (${classification.confidence.toFixed(2)} < ${threshold})`,
        `best guess: ${classification.category}`,
      ],
    };
  }

  const route = config.categories[classification.category];
  return {
    category: classification.category,
    disposition: 'forward',
    recipients: [...route.group],
    subjectTag: route.tag,
    reasons: outweighed ? [`${outweighed}: ${automated.doubts?.join('; ')}`] : [],
  };
}

/**
 * The triage group of the address the message came to. SES only delivers mail for configured
 * addresses, so an unknown one means a configuration change raced a delivery: the first
 * address's triage group still gets it rather than nobody.
 */
export function triageGroupFor(config: RouterConfig, functionalAddress: string): string[] {
  const entry = findFunctionalAddress(config, functionalAddress) ?? config.functionalAddresses[0];
  return entry ? [...entry.triageGroup] : [];
}
