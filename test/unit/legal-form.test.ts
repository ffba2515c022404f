import { describe, expect, it } from 'vitest';
import { writtenLegalForm } from '../../functions/core/classify/legal-form.js';

describe('writtenLegalForm', () => {
  it.each([
    ['Senior konsult, EU Funding Partners AB', 'AB'],
    ['Daglig leder, EUsøknad AS', 'AS'],
    ['Nordic Interpreters A/S', 'A/S'],
    ['Müller & Partner Consulting AG.', 'AG'],
    ['Eventos Ibéricos S.L.', 'S.L.'],
    ['Zarząd Portu Gdynia S.A.', 'S.A.'],
    ['Tallinna Tõlkebüroo OÜ', 'OÜ'],
    ['Rīgas Konsultācijas SIA, Rīga', 'SIA'],
    ['(Eurofondi SpA)', 'SpA'],
  ])('finds the form in "%s"', (text, form) => {
    expect(writtenLegalForm(text)).toBe(form);
  });

  it.each([
    ['lower case, where the forms are words', 'we see this as a chance, ab Montag and sia pure'],
    ['a line in capitals', 'THE EU AS A WHOLE'],
    ['a form inside a sentence, not ending a name', 'Kontakta Anna AB och vi ses snart'],
    ['a form with no name before it', 'AB'],
    ['a name across a line break', 'Anna Berg\nAB'],
  ])('finds none in %s', (_case, text) => {
    expect(writtenLegalForm(text)).toBeUndefined();
  });
});
