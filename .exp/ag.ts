import { readFileSync } from 'node:fs';
import { parseMail } from '../functions/core/parse.js';
import { detectAutomated } from '../functions/core/automated.js';
import { blindBatches, readLabels } from '../scripts/classify-corpus.js';
let n = 0;
for (const dir of blindBatches()) {
  for (const label of readLabels(dir)) {
    const raw = readFileSync(`${dir}/${label.file}`);
    const head = raw.subarray(0, 4000).toString('latin1');
    if (!/^auto-submitted:\s*auto-(generated|notified)/im.test(head)) continue;
    const mail = await parseMail(raw);
    const v = detectAutomated(mail);
    n++;
    console.log(`${dir.slice(-9)}/${label.file} lab=${label.automated ? 'AUTO' : label.category} det=${v.automated} subj=${JSON.stringify(mail.subject).slice(0, 70)} | ${v.reasons.join(',')}`);
  }
}
console.log(n);
