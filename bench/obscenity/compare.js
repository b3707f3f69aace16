// Benchmark only: the obscenity npm package on the messages of `compare messages`, for
// the side-by-side table of `make bench` (scripts/bench-report.py).
//
//   node compare.js run < messages.txt     one JSON line: per-message time
//   node compare.js first MESSAGE          the censored message (process start to
//                                          first decision is timed by the caller)
//   node compare.js classify < lines       for each JSON string line, 1 when the
//                                          library finds something, else 0 (make quality)
'use strict';

const {
  RegExpMatcher,
  TextCensor,
  englishDataset,
  englishRecommendedTransformers,
} = require('obscenity');

const ROUNDS = 50;

// The library's recommended English set-up, and the censored text as the decision,
// like rustrict's censor and this project's masking.
function prepare() {
  const matcher = new RegExpMatcher({
    ...englishDataset.build(),
    ...englishRecommendedTransformers,
  });
  const censor = new TextCensor();
  return (text) => censor.applyTo(text, matcher.getAllMatches(text));
}

function run(messages) {
  const decide = prepare();
  let sink = 0;
  for (const m of messages) sink += decide(m).length;
  const times = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const m of messages) {
      const start = process.hrtime.bigint();
      sink += decide(m).length;
      times.push(Number(process.hrtime.bigint() - start));
    }
  }
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.round((times.length - 1) * q)];
  const mean = Math.floor(times.reduce((a, b) => a + b, 0) / times.length);
  console.log(JSON.stringify({
    engine: 'obscenity', messages: messages.length, calls: times.length,
    median_ns: at(0.5), p99_ns: at(0.99), mean_ns: mean, sink,
  }));
}

function classify(lines) {
  const matcher = new RegExpMatcher({
    ...englishDataset.build(),
    ...englishRecommendedTransformers,
  });
  console.log(lines.map((line) => (matcher.hasMatch(JSON.parse(line)) ? '1' : '0')).join('\n'));
}

const [mode, message] = process.argv.slice(2);
if (mode === 'classify') {
  const input = require('fs').readFileSync(0, 'utf8');
  classify(input.split('\n').filter((line) => line.length > 0));
} else if (mode === 'first' && message !== undefined) {
  console.log(prepare()(message));
} else if (mode === 'run') {
  const input = require('fs').readFileSync(0, 'utf8');
  run(input.split('\n').filter((line) => line.length > 0));
} else {
  console.error('usage: node compare.js run < messages | first MESSAGE | classify < lines');
  process.exit(2);
}
