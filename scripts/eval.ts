// scripts --> `npm run eval -- [CORPUS_DIR...] [--json] [--cv|--committed|--leave-one-out|--train-on DIR...] [--folds N] [--threshold T]`
// Runs the real steps on each labelled .eml (parse, automated-mail detection, classify, decide) and
// reports what staff would see: accuracy, misroutes, triage, per category, corpus (batch), language
// and difficulty. On the dev corpus alone the model is cross-validated: each message is scored by a
// model that never saw it. `--train-on DIR` (repeatable) scores with a model built from those
// corpora alone: a check across voices (e.g. one blind batch scored by a model trained without it).
import { resolve } from 'node:path';
import { confidenceThresholdFor, type RoutedCategory } from '../functions/config/router-config.js';
import { DEFAULT_ROUTER_CONFIG, parseRouterConfig, type RouterConfig } from '../functions/config/schema.js';
import { classifyFeatures } from '../functions/core/classify/index.js';
import type { LinearModel } from '../functions/core/classify/model.js';
import {
  buildModel,
  crossValidatedModels,
  type LabelledFeatures,
} from '../functions/core/classify/training.js';
import { decide } from '../functions/core/decide.js';
import { CATEGORIES, type Category, type Classification } from '../functions/core/types.js';
import {
  corpusExists,
  DEV_CORPUS,
  type LabelledMessage,
  OWN_EXAMPLES,
  readCorpus,
  trainable,
  trainingCorpora,
} from './classify-corpus.js';

interface Options {
  dirs: string[];
  json: boolean;
  mode: 'cv' | 'committed' | 'trained-on' | 'leave-one-out';
  trainOn: string[];
  folds: number;
  /** One threshold for every category instead of the configuration's own (`--threshold T`). */
  threshold?: number;
}

interface Outcome {
  corpus: string;
  file: string;
  language: string;
  difficulty: string;
  expected: Category;
  expectedAutomated: boolean;
  automated: boolean;
  classification: Classification;
  /** What staff would get: the decision after the automated check and the threshold. */
  routed: Category;
  reasons: string[];
}

function parseArgs(argv: string[]): Options {
  const options: Options = {
    dirs: [],
    json: false,
    mode: 'cv',
    trainOn: [],
    folds: 10,
  };
  let explicitMode = false;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '--json') options.json = true;
    else if (arg === '--cv') [options.mode, explicitMode] = ['cv', true];
    else if (arg === '--committed') [options.mode, explicitMode] = ['committed', true];
    else if (arg === '--leave-one-out') [options.mode, explicitMode] = ['leave-one-out', true];
    else if (arg === '--train-on') {
      [options.mode, explicitMode] = ['trained-on', true];
      options.trainOn.push(argv[++index] ?? '');
    } else if (arg === '--folds') options.folds = Number(argv[++index]);
    else if (arg === '--threshold') options.threshold = Number(argv[++index]);
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else options.dirs.push(arg);
  }
  if (options.dirs.length === 0) options.dirs.push(DEV_CORPUS);
  const devAlone = options.dirs.length === 1 && resolve(options.dirs[0]!) === resolve(DEV_CORPUS);
  // A corpus the committed model was not trained on is measured with the committed model as is.
  if (!explicitMode && !devAlone) options.mode = 'committed';
  if (options.mode === 'cv' && options.dirs.length > 1)
    throw new Error('--cv takes one corpus; name several with --committed or --train-on');
  if (!Number.isInteger(options.folds) || options.folds < 2)
    throw new Error('--folds must be an integer >= 2');
  return options;
}

function asLabelled(message: LabelledMessage): LabelledFeatures {
  return {
    id: `${message.corpus}/${message.label.file}`,
    category: message.label.category,
    features: message.features,
  };
}

async function evaluate(options: Options): Promise<Outcome[]> {
  const messages: LabelledMessage[] = [];
  for (const dir of options.dirs) messages.push(...(await readCorpus(dir)));
  let modelFor: (message: LabelledMessage) => LinearModel | undefined = () => undefined;
  if (options.mode === 'cv') {
    const own =
      corpusExists(OWN_EXAMPLES) && resolve(OWN_EXAMPLES) !== resolve(options.dirs[0]!)
        ? trainable(await readCorpus(OWN_EXAMPLES)).map(asLabelled)
        : [];
    const scored = trainable(messages).map(asLabelled);
    const { foldOf, models } = crossValidatedModels(scored, own, options.folds);
    modelFor = (message) => {
      const fold = foldOf.get(asLabelled(message).id);
      return fold === undefined ? models[0] : models[fold];
    };
  } else if (options.mode === 'leave-one-out') {
    // Each named corpus scored by a model built from everything `npm run train` reads except it.
    const models = new Map<string, LinearModel>();
    for (const dir of options.dirs) {
      const training: LabelledFeatures[] = [];
      for (const source of trainingCorpora()) {
        if (resolve(source) === resolve(dir) || !corpusExists(source)) continue;
        training.push(...trainable(await readCorpus(source)).map(asLabelled));
      }
      models.set(dir, buildModel(training));
    }
    modelFor = (message) => models.get(message.corpus);
  } else if (options.mode === 'trained-on') {
    const training: LabelledFeatures[] = [];
    for (const dir of options.trainOn) {
      if (!corpusExists(dir)) throw new Error(`--train-on: no labelled corpus at ${dir}`);
      training.push(...trainable(await readCorpus(dir)).map(asLabelled));
    }
    const model = buildModel(training);
    modelFor = () => model;
  }
  const config = configWithThreshold(options.threshold);
  return messages.map((message) => {
    const model = modelFor(message);
    const classification = message.automated.automated
      ? { category: 'other' as const, confidence: 1, reasons: message.automated.reasons }
      : model
        ? classifyFeatures(message.features, model)
        : classifyFeatures(message.features);
    const decision = decide(
      { classification, automated: message.automated, functionalAddress: message.functionalAddress },
      config,
    );
    return {
      corpus: message.corpus,
      file: message.label.file,
      language: message.label.language,
      difficulty: message.label.difficulty,
      expected: message.label.category,
      expectedAutomated: message.label.automated,
      automated: message.automated.automated,
      classification,
      routed: decision.category,
      reasons: [...classification.reasons, ...decision.reasons],
    };
  });
}

const ratio = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);
const round = (value: number) => Math.round(value * 1000) / 1000;

function summarise(outcomes: Outcome[], options: Options) {
  const total = outcomes.length;
  const correct = outcomes.filter((o) => o.routed === o.expected).length;
  const misrouted = outcomes.filter((o) => o.routed !== 'other' && o.routed !== o.expected).length;
  const triaged = outcomes.filter((o) => o.routed === 'other' && o.expected !== 'other').length;

  const perCategory = Object.fromEntries(
    CATEGORIES.map((category): [Category, { precision: number; recall: number; support: number }] => {
      const predicted = outcomes.filter((o) => o.routed === category);
      const actual = outcomes.filter((o) => o.expected === category);
      const hits = predicted.filter((o) => o.expected === category).length;
      return [
        category,
        {
          precision: round(ratio(hits, predicted.length)),
          recall: round(ratio(hits, actual.length)),
          support: actual.length,
        },
      ];
    }),
  ) as Record<Category, { precision: number; recall: number; support: number }>;
  const confusion = Object.fromEntries(
    CATEGORIES.map((expected) => [
      expected,
      Object.fromEntries(
        CATEGORIES.map((routed) => [
          routed,
          outcomes.filter((o) => o.expected === expected && o.routed === routed).length,
        ]),
      ) as Record<Category, number>,
    ]),
  ) as Record<Category, Record<Category, number>>;
  const flagged = outcomes.filter((o) => o.automated);
  const automatedTrue = outcomes.filter((o) => o.expectedAutomated);
  const automated = {
    precision: round(ratio(flagged.filter((o) => o.expectedAutomated).length, flagged.length)),
    recall: round(ratio(automatedTrue.filter((o) => o.automated).length, automatedTrue.length)),
    falseAutomated: flagged.filter((o) => !o.expectedAutomated).map((o) => o.file),
    missedAutomated: automatedTrue.filter((o) => !o.automated).map((o) => o.file),
  };
  const breakdown = (key: 'corpus' | 'language' | 'difficulty') => {
    const groups = [...new Set(outcomes.map((o) => o[key]))].sort();
    return Object.fromEntries(
      groups.map((group) => {
        const members = outcomes.filter((o) => o[key] === group);
        return [
          group,
          {
            messages: members.length,
            accuracy: round(ratio(members.filter((o) => o.routed === o.expected).length, members.length)),
            misrouted: members.filter((o) => o.routed !== 'other' && o.routed !== o.expected).length,
            triaged: members.filter((o) => o.routed === 'other' && o.expected !== 'other').length,
            automatedRecall: round(
              ratio(
                members.filter((o) => o.expectedAutomated && o.automated).length,
                members.filter((o) => o.expectedAutomated).length,
              ),
            ),
            falseAutomated: members.filter((o) => o.automated && !o.expectedAutomated).length,
          },
        ];
      }),
    );
  };
  // How the threshold trades triage for safety: precision of what would be forwarded to a group.
  const classified = outcomes.filter((o) => !o.automated);
  const thresholds = [0.5, 0.6, 0.7, 0.8, 0.9].map((threshold) => {
    const confident = classified.filter(
      (o) => o.classification.category !== 'other' && o.classification.confidence >= threshold,
    );
    const right = confident.filter((o) => o.classification.category === o.expected).length;
    return {
      threshold,
      forwardedToGroups: confident.length,
      precision: round(ratio(right, confident.length)),
      wrongGroup: confident.length - right,
    };
  });
  const errors = outcomes
    .filter((o) => o.routed !== o.expected || o.automated !== o.expectedAutomated)
    .map((o) => ({
      file: options.dirs.length > 1 ? `${o.corpus}/${o.file}` : o.file,
      expected: o.expected,
      routed: o.routed,
      guess: o.classification.category,
      confidence: o.classification.confidence,
      kind:
        o.automated !== o.expectedAutomated
          ? 'automated-flag'
          : o.routed === 'other'
            ? 'triage'
            : o.expected === 'other'
              ? 'false-category'
              : 'misroute',
      reasons: o.reasons,
    }));
  return {
    corpus: options.dirs.join(' '),
    mode:
      options.mode === 'cv'
        ? `${options.folds}-fold cross-validation`
        : options.mode === 'trained-on'
          ? `model trained on ${options.trainOn.join(' + ')} only`
          : options.mode === 'leave-one-out'
            ? 'each corpus scored by a model trained on all other training corpora'
            : 'committed model',
    threshold: thresholdsOf(configWithThreshold(options.threshold)),
    messages: total,
    accuracy: round(ratio(correct, total)),
    misrouteRate: round(ratio(misrouted, total)),
    triageRate: round(ratio(triaged, total)),
    perCategory,
    confusion,
    automated,
    byCorpus: breakdown('corpus'),
    byLanguage: breakdown('language'),
    byDifficulty: breakdown('difficulty'),
    thresholds,
    errors,
  };
}

type Summary = ReturnType<typeof summarise>;

/** The default configuration, or with one threshold for every category, as an operator's file sets it. */
function configWithThreshold(threshold: number | undefined): RouterConfig {
  return threshold === undefined
    ? DEFAULT_ROUTER_CONFIG
    : parseRouterConfig({ confidenceThreshold: threshold });
}

/** "invitation 0.4, protocol_visit 0.6, eu_matter 0.55": the threshold each category is routed with. */
function thresholdsOf(config: RouterConfig): string {
  const routed = CATEGORIES.filter((category): category is RoutedCategory => category !== 'other');
  return routed.map((category) => `${category} ${confidenceThresholdFor(config, category)}`).join(', ');
}

function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return cells
    .map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  '))
    .join('\n');
}

function printReport(summary: Summary): void {
  const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
  const lines: string[] = [];
  lines.push(
    `mailroute classifier evaluation: ${summary.corpus} (${summary.messages} messages, ${summary.mode})`,
  );
  lines.push(`threshold ${summary.threshold}`);
  lines.push('');
  lines.push(`accuracy       ${summary.accuracy.toFixed(3)}   (target >= 0.95)`);
  lines.push(`misroute rate  ${summary.misrouteRate.toFixed(3)}   (wrong specific group; target <= 0.02)`);
  lines.push(`triage rate    ${summary.triageRate.toFixed(3)}   (sent to other though it had a category)`);
  lines.push(
    `automated      precision ${summary.automated.precision.toFixed(3)}  recall ${summary.automated.recall.toFixed(3)}` +
      `  false: [${summary.automated.falseAutomated.join(', ')}]  missed: [${summary.automated.missedAutomated.join(', ')}]`,
  );
  lines.push('');
  lines.push(
    table(
      ['category', 'precision', 'recall', 'support'],
      CATEGORIES.map((c) => [
        c,
        pct(summary.perCategory[c].precision),
        pct(summary.perCategory[c].recall),
        summary.perCategory[c].support,
      ]),
    ),
  );
  lines.push('');
  lines.push('confusion (rows: expected, columns: routed)');
  lines.push(
    table(
      ['', ...CATEGORIES],
      CATEGORIES.map((expected) => [
        expected,
        ...CATEGORIES.map((routed) => summary.confusion[expected][routed]),
      ]),
    ),
  );
  for (const [title, groups] of [
    ...(Object.keys(summary.byCorpus).length > 1 ? [['corpus', summary.byCorpus] as const] : []),
    ['language', summary.byLanguage],
    ['difficulty', summary.byDifficulty],
  ] as const) {
    lines.push('');
    lines.push(
      table(
        [title, 'messages', 'accuracy', 'misrouted', 'triaged', 'automated recall', 'false automated'],
        Object.entries(groups).map(([group, g]) => [
          group,
          g.messages,
          pct(g.accuracy),
          g.misrouted,
          g.triaged,
          pct(g.automatedRecall),
          g.falseAutomated,
        ]),
      ),
    );
  }
  lines.push('');
  lines.push('threshold sweep (messages the classifier would forward to a group)');
  lines.push(
    table(
      ['threshold', 'forwarded', 'precision', 'wrong group'],
      summary.thresholds.map((t) => [t.threshold, t.forwardedToGroups, pct(t.precision), t.wrongGroup]),
    ),
  );
  lines.push('');
  lines.push(`errors (${summary.errors.length})`);
  for (const error of summary.errors) {
    lines.push(
      `  ${error.file}  ${error.kind}: expected ${error.expected}, routed ${error.routed}` +
        ` (guess ${error.guess} ${error.confidence.toFixed(2)})`,
    );
    lines.push(`      ${error.reasons.join(' | ')}`);
  }
  console.log(lines.join('\n'));
}

const options = parseArgs(process.argv.slice(2));
for (const dir of options.dirs) {
  if (corpusExists(dir)) continue;
  console.error(`no labelled corpus at ${dir} (expected ${dir}/labels.jsonl)`);
  process.exit(2);
}
const summary = summarise(await evaluate(options), options);
if (options.json) console.log(JSON.stringify(summary, null, 2));
else printReport(summary);
