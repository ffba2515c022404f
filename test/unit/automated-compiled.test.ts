// The automated-mail phrases compiled by `npm run lexicons` (automated-phrases.compiled.json), which the
// detector and so every router Lambda reads at init, must be the phrase tables as they are now; and the
// reader of such build-time files (shipped-table.ts) must say which file is missing or broken, and why.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { COMPILED_AUTOMATED_PHRASES } from '../../functions/core/automated.js';
import * as phraseTables from '../../functions/core/automated-phrases.js';
import {
  assertAutomatedPhrasesCompiled,
  compileAutomatedPhrases,
  foldForMatching,
} from '../../functions/core/automated-tables.js';
import { readShippedTable, shippedTableJson } from '../../functions/core/shipped-table.js';

describe('the compiled automated-mail phrases', () => {
  it('are the phrase tables as they are now (after editing automated-phrases.ts: npm run lexicons)', () => {
    // Act
    const fresh = compileAutomatedPhrases(phraseTables);

    // Assess
    expect(COMPILED_AUTOMATED_PHRASES).toEqual(fresh);
    expect(() => assertAutomatedPhrasesCompiled(COMPILED_AUTOMATED_PHRASES, phraseTables)).not.toThrow();
  });

  it('are written, like the compiled lexicons and the model, in ASCII: non-ASCII text escaped (read at every cold start)', () => {
    // Prepare
    const files = [
      'functions/core/automated-phrases.compiled.json',
      'functions/core/classify/lexicons.compiled.json',
      'functions/core/classify/model.json',
    ];

    for (const file of files) {
      // Act
      const text = readFileSync(file, 'utf8');

      // Assess
      expect(/[^\x00-\x7f]/.test(text), file).toBe(false);
    }
    const value = { phrase: 'автоматический ответ 自動返信 ä', key: 'x' };
    expect(shippedTableJson(value)).toBe(
      '{"phrase":"\\u0430\\u0432\\u0442\\u043e\\u043c\\u0430\\u0442\\u0438\\u0447\\u0435\\u0441\\u043a\\u0438\\u0439 \\u043e\\u0442\\u0432\\u0435\\u0442 \\u81ea\\u52d5\\u8fd4\\u4fe1 \\u00e4","key":"x"}\n',
    );
    expect(JSON.parse(shippedTableJson(value))).toEqual(value);
  });

  it('are refused, naming the fix, once a table changed after they were compiled', () => {
    // Prepare: one more Swedish auto-reply subject opening.
    const edited = {
      ...phraseTables,
      AUTO_REPLY_SUBJECT_OPENINGS: {
        ...phraseTables.AUTO_REPLY_SUBJECT_OPENINGS,
        sv: [...phraseTables.AUTO_REPLY_SUBJECT_OPENINGS.sv, 'helt nytt automatsvar'],
      },
    };

    // Act + Assess
    expect(() => assertAutomatedPhrasesCompiled(COMPILED_AUTOMATED_PHRASES, edited)).toThrow(
      /automated-mail phrases are stale: run `npm run lexicons`/,
    );
  });

  it("hold, for every subject opening, a pattern that compiles and finds the opening's own words", () => {
    // Act: the patterns are built on first use in the detector; here all of them at once.
    const openings = Object.values(COMPILED_AUTOMATED_PHRASES.openingsByFirstWord).flat();

    // Assess: one opening for every phrase of the four subject tables.
    const phrases = [
      phraseTables.AUTO_REPLY_SUBJECT_OPENINGS,
      phraseTables.NON_DELIVERY_SUBJECT_OPENINGS,
      phraseTables.AWAY_SUBJECT_OPENINGS,
      phraseTables.CALENDAR_REPLY_SUBJECT_OPENINGS,
    ].flatMap((table) => Object.values(table).flat());
    expect(openings).toHaveLength(phrases.length);
    for (const opening of openings) {
      const pattern = new RegExp(opening.source, 'u');
      expect(pattern.test(foldForMatching(opening.phrase)), opening.phrase).toBe(true);
    }
  });
});

describe('readShippedTable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailroute-shipped-table-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a JSON file', () => {
    // Prepare
    writeFileSync(join(dir, 'table.json'), '{"a":[1,"\\u00e5"]}');

    // Act + Assess
    expect(readShippedTable(pathToFileURL(join(dir, 'table.json')), 'the table', 'npm run x')).toEqual({
      a: [1, 'å'],
    });
  });

  it('names a missing file, where it ships from and what writes it', () => {
    // Act + Assess
    expect(() =>
      readShippedTable(pathToFileURL(join(dir, 'absent.json')), 'the compiled lexicons', 'npm run lexicons'),
    ).toThrow(
      new RegExp(
        `^the compiled lexicons ${join(dir, 'absent.json')} cannot be read \\(ENOENT.*\\): it ships beside the code \\(infra/constructs/router-function.ts, SHIPPED_TABLE_PATHS\\); in the repository \`npm run lexicons\` writes it$`,
      ),
    );
  });

  it('names a file that is not JSON', () => {
    // Prepare: cut off, as by a failed copy.
    writeFileSync(join(dir, 'cut.json'), '{"patterns": "ab');

    // Act + Assess
    expect(() =>
      readShippedTable(pathToFileURL(join(dir, 'cut.json')), "the classifier's model", 'npm run train'),
    ).toThrow(/^the classifier's model .*cut\.json is not JSON \(.*\): `npm run train` writes it$/);
  });
});
