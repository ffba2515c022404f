import { readFileSync } from 'node:fs';
import { parseMail } from '../functions/core/parse.js';
import { detectAutomated } from '../functions/core/automated.js';
import { blindBatches, readLabels } from '../scripts/classify-corpus.js';
for (const dir of blindBatches()) {
  for (const label of readLabels(dir)) {
    const raw = readFileSync(`${dir}/${label.file}`);
    const head = raw.subarray(0, 4000).toString('latin1');
    if (!/^auto-submitted:\s*auto-(generated|notified)/im.test(head)) continue;
    const mail = await parseMail(raw);
    const without = detectAutomated({ ...mail, headers: { ...mail.headers, autoSubmitted: '' } });
    if (without.automated) continue;
    console.log(`${dir.slice(-9)}/${label.file} lab=${label.automated ? 'AUTO' : label.category} subj=${JSON.stringify(mail.subject).slice(0, 80)} | doubts=${(without.doubts ?? []).join(',')}`);
  }
}
