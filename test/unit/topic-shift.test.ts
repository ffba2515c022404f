// Where a reply's new text turns from the thread's matter to one of its own.
import { describe, expect, it } from 'vitest';
import { tokens } from '../../functions/core/classify/normalize.js';
import { TOPIC_SHIFTS, topicShiftAt } from '../../functions/core/classify/topic-shift.js';

describe('topicShiftAt', () => {
  it.each([
    ['sv', 'Tack för svaret om Interreg-projektet. En annan sak: CBSS har ordförandeskapet i juni.', 'en'],
    ['en', 'The final report is submitted. I am also writing because our Mayor hosts a summit.', 'i'],
    ['de', 'Danke für den Bericht. Zu einem anderen Thema: unser Bürgermeister lädt ein.', 'zu'],
  ])('finds the %s turn to another matter', (_language, text, firstWord) => {
    // Act
    const words = tokens(text);
    const at = topicShiftAt(words);

    // Assess
    expect(at).toBeGreaterThan(0);
    expect(words[at]).toBe(firstWord);
  });

  it.each([
    ['no turn', 'Thank you for the invitation; the Mayor will attend the summit in Porto.'],
    ['a turn with nothing before it', 'En annan sak: ambassadören vill göra ett artighetsbesök.'],
    ['words that add to the same matter', 'Moreover, the Mayor would also like to visit the harbour.'],
  ])('finds none in %s', (_what, text) => {
    // Act
    const at = topicShiftAt(tokens(text));

    // Assess
    expect(at).toBe(-1);
  });

  it('knows every phrase of its table, in every language it lists', () => {
    // Act
    const missed = Object.entries(TOPIC_SHIFTS).flatMap(([language, phrases]) =>
      phrases
        .filter((phrase) => topicShiftAt(tokens(`Thanks. ${phrase} the matter`)) < 0)
        .map((p) => `${language}: ${p}`),
    );

    // Assess
    expect(missed).toEqual([]);
    expect(Object.keys(TOPIC_SHIFTS).length).toBeGreaterThanOrEqual(33);
  });
});
