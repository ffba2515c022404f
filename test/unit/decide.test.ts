import { describe, expect, it } from 'vitest';
import { parseRouterConfig } from '../../functions/config/schema.js';
import { decide } from '../../functions/core/decide.js';
import type { AutomatedVerdict, Classification } from '../../functions/core/types.js';

const config = parseRouterConfig({});
const human: AutomatedVerdict = { automated: false, reasons: [] };
const KOMMUNSTYRELSEN = 'kommunstyrelsen@stockholm.se';

function decideFor(
  classification: Classification,
  functionalAddress = 'EUinternational@stockholm.se',
  automated = human,
) {
  return decide({ classification, automated, functionalAddress }, config);
}

describe('decide', () => {
  it.each([
    ['invitation', 'internationella-beredningen@stockholm.se', '[Inbjudan]'],
    ['protocol_visit', 'protokollsenheten@stockholm.se', '[Protokollärt besök]'],
    ['eu_matter', 'internationella-enheten@stockholm.se', '[EU]'],
  ] as const)('forwards a confident %s to its group with its tag', (category, group, tag) => {
    const decision = decideFor({ category, confidence: 0.9, reasons: [] });

    expect(decision).toEqual({
      category,
      disposition: 'forward',
      recipients: [group],
      subjectTag: tag,
      reasons: [],
    });
  });

  it('sends mail that may be automated to the triage group, whatever its confident category', () => {
    // Prepare
    const doubtful: AutomatedVerdict = { automated: false, reasons: [], doubts: ['subject:"autosvar" (sv)'] };

    // Act
    const decision = decideFor(
      { category: 'invitation', confidence: 0.99, reasons: [] },
      'protocol@stockholm.se',
      doubtful,
    );

    // Assess
    expect(decision).toEqual({
      category: 'other',
      disposition: 'forward',
      recipients: ['triage-protocol@stockholm.se'],
      subjectTag: '[Triage]',
      reasons: ['maybe automated: to a person', 'subject:"autosvar" (sv)'],
    });
  });

  it.each([
    [
      'a letter under a responder\'s subject (a person kept "Automatic reply:")',
      'subject:"automatic reply" (en), nothing else automated',
      'subject',
      "a letter under a responder's subject",
    ],
    [
      'a letter that opens like an away notice (a person on a journey who still answers)',
      'body:away-notice(absence+return)',
      'body',
      'a letter that opens like an away notice',
    ],
    [
      "a generated notice (a programme portal's reminder)",
      'header:auto-submitted=auto-generated, nothing else automated',
      'generated',
      'a notice the classifier is sure of',
    ],
  ] as const)(
    'routes %s to its group when the classifier is sure of it',
    (_what, doubt, doubtFrom, named) => {
      // Prepare
      const doubted: AutomatedVerdict = { automated: false, reasons: [], doubts: [doubt], doubtFrom };

      // Act
      const sure = decideFor(
        { category: 'invitation', confidence: 0.95, reasons: [] },
        KOMMUNSTYRELSEN,
        doubted,
      );
      const unsure = decideFor(
        { category: 'invitation', confidence: 0.85, reasons: [] },
        KOMMUNSTYRELSEN,
        doubted,
      );

      // Assess
      expect(sure).toEqual({
        category: 'invitation',
        disposition: 'forward',
        recipients: ['internationella-beredningen@stockholm.se'],
        subjectTag: '[Inbjudan]',
        reasons: [`${named}: ${doubt}`],
      });
      expect(unsure).toMatchObject({
        category: 'other',
        reasons: ['maybe automated: to a person', doubt],
      });
    },
  );

  it("sends a calendar answer with the attendee's words to triage however sure the classifier is of its topic", () => {
    // Act
    const calendarAnswer = decideFor(
      { category: 'protocol_visit', confidence: 0.99, reasons: [] },
      'protocol@stockholm.se',
      {
        automated: false,
        reasons: [],
        doubts: ["calendar:method=reply with the attendee's words"],
        doubtFrom: 'calendar',
      },
    );

    // Assess
    expect(calendarAnswer).toMatchObject({ category: 'other', recipients: ['triage-protocol@stockholm.se'] });
  });

  it('sends other to the triage group of the address it came to', () => {
    const decision = decideFor({ category: 'other', confidence: 0.9, reasons: [] }, 'PROTOCOL@stockholm.se');

    expect(decision.recipients).toEqual(['triage-protocol@stockholm.se']);
    expect(decision.subjectTag).toBe('[Triage]');
  });

  it('sends a low-confidence guess to triage, saying so and keeping the guess', () => {
    const decision = decideFor({ category: 'eu_matter', confidence: 0.42, reasons: ['subject:"horizon"'] });

    expect(decision.category).toBe('other');
    expect(decision.recipients).toEqual(['triage-euinternational@stockholm.se']);
    expect(decision.reasons).toEqual(['low confidence (0.42 < 0.55)', 'best guess: eu_matter']);
  });

  it.each([
    ['invitation', 0.47, 'internationella-beredningen@stockholm.se'],
    ['protocol_visit', 0.57, 'triage-euinternational@stockholm.se'],
    ['eu_matter', 0.52, 'triage-euinternational@stockholm.se'],
  ] as const)("routes a %s read at %s by its category's own threshold", (category, confidence, recipient) => {
    const decision = decideFor({ category, confidence, reasons: [] });

    expect(decision.recipients).toEqual([recipient]);
  });

  it("applies an operator's one threshold to every category they do not set on its own", () => {
    // Prepare: one threshold, and the protocol unit's own above it.
    const operatorConfig = parseRouterConfig({
      confidenceThreshold: 0.7,
      categories: { protocol_visit: { confidenceThreshold: 0.8 } },
    });
    const decideAt = (category: 'invitation' | 'protocol_visit', confidence: number) =>
      decide(
        {
          classification: { category, confidence, reasons: [] },
          automated: human,
          functionalAddress: 'EUinternational@stockholm.se',
        },
        operatorConfig,
      ).reasons;

    // Act + Assess
    expect(decideAt('invitation', 0.6)).toEqual(['low confidence (0.60 < 0.7)', 'best guess: invitation']);
    expect(decideAt('invitation', 0.75)).toEqual([]);
    expect(decideAt('protocol_visit', 0.75)).toEqual([
      'low confidence (0.75 < 0.8)',
      'best guess: protocol_visit',
    ]);
  });

  it('suppresses automated mail: logged, sent to nobody', () => {
    const decision = decideFor({ category: 'other', confidence: 1, reasons: [] }, undefined, {
      automated: true,
      reasons: ['header:auto-submitted=auto-replied'],
    });

    expect(decision.disposition).toBe('suppress');
    expect(decision.recipients).toEqual([]);
  });

  it('falls back to the first triage group for an address that is not configured', () => {
    const decision = decideFor({ category: 'other', confidence: 1, reasons: [] }, 'unknown@stockholm.se');

    expect(decision.recipients).toEqual(['triage-euinternational@stockholm.se']);
  });
});
