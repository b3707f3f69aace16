#!/usr/bin/env python3
"""The moderation quality report that `make quality` prints (and `make bench` includes).

1. The project's labelled sets, crates/moderation/tests/quality/<language>.tsv: for
   each language and each category, the share of must-block items that the default
   policy blocks (denies or rewrites) and the share of must-pass items it blocks, for
   this engine and, on the same items, rustrict and obscenity.
2. Third-party data, loaded at report time from installed packages and never kept in
   the repository: the LDNOOBW lists (npm `naughty-words`) for recall, and the most
   frequent words of each language (PyPI `wordfreq`) for false positives. Either part
   is skipped, with a note, when its package is missing.

Usage: quality-report.py [--markdown-level N]   (run by `make quality` from the repo)
"""
import collections
import json
import os
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]
TARGET = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
if not TARGET.is_absolute():
    TARGET = REPO / TARGET
COMPARE = TARGET / "release" / "compare"
OBSCENITY = REPO / "bench" / "obscenity"
NAUGHTY = OBSCENITY / "node_modules" / "naughty-words"
QUALITY = REPO / "crates" / "moderation" / "tests" / "quality"
FILTERS = ["moderation", "rustrict-analyse", "obscenity"]
# How many of each language's most frequent words the false-positive check takes.
FREQUENT = 5000
# wordfreq's codes where they differ from ISO 639-1.
WORDFREQ_CODES = {"tl": "fil", "no": "nb"}
# LDNOOBW file names where they differ.
LDNOOBW_FILES = {"tl": ["fil"], "fr": ["fr", "fr-CA-u-sd-caqc"]}


def labelled_sets():
    """(language, expect, category, text) for every line of every set."""
    rows = []
    for path in sorted(QUALITY.glob("*.tsv")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3 or parts[0] not in ("block", "pass"):
                sys.exit(f"{path}:{n}: expected block|pass<TAB>CATEGORY<TAB>TEXT")
            rows.append((path.stem, parts[0], parts[1], parts[2]))
    return rows


def classify(texts):
    """For each filter, one bool per text: whether it blocks the text. A filter that
    cannot run here is missing from the result."""
    results = {}
    lines = "".join(json.dumps(t) + "\n" for t in texts)
    if COMPARE.exists():
        out = subprocess.run([str(COMPARE), "classify", "moderation", "rustrict-analyse"],
                             input=lines, capture_output=True, text=True, check=True).stdout.split("\n")
        results["moderation"] = [row.split()[0] == "1" for row in out[:len(texts)]]
        results["rustrict-analyse"] = [row.split()[1] == "1" for row in out[:len(texts)]]
    else:
        sys.exit(f"{COMPARE} is missing: build it with `cargo build --release -p compare`")
    if (OBSCENITY / "node_modules" / "obscenity").exists():
        out = subprocess.run(["node", str(OBSCENITY / "compare.js"), "classify"],
                             input=lines, capture_output=True, text=True, check=True).stdout.split("\n")
        results["obscenity"] = [row == "1" for row in out[:len(texts)]]
    return results


def pct(hit, total):
    return f"{100 * hit / total:.1f}%" if total else "–"


def table(headers, rows):
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def labelled_report(h):
    rows = labelled_sets()
    verdicts = classify([r[3] for r in rows])
    filters = [f for f in FILTERS if f in verdicts]
    by_language = collections.defaultdict(lambda: collections.defaultdict(lambda: [0, 0]))
    by_category = collections.defaultdict(lambda: collections.defaultdict(lambda: [0, 0]))
    for i, (language, expect, category, _) in enumerate(rows):
        for f in filters:
            for bucket in (by_language[(language, expect)][f], by_category[(expect, category)][f]):
                bucket[0] += verdicts[f][i]
                bucket[1] += 1
    print(f"{h} Labelled sets ({len(rows)} messages in {len({r[0] for r in rows})} languages)\n")
    print("Recall: must-block messages the default policy denies or rewrites. False positives: "
          "must-pass messages it denies or rewrites. rustrict (`analyse`, inappropriate) and "
          "obscenity (English dataset, any match) on the same messages.\n")
    languages = sorted({r[0] for r in rows})
    lines = []
    for language in languages:
        block, passing = by_language[(language, "block")], by_language[(language, "pass")]
        n_block = block[filters[0]][1] if block else 0
        n_pass = passing[filters[0]][1] if passing else 0
        lines.append([language, n_block] + [pct(*block[f]) for f in filters]
                     + [n_pass] + [pct(*passing[f]) for f in filters])
    headers = (["language", "must block"] + [f"recall {f}" for f in filters]
               + ["must pass"] + [f"false pos. {f}" for f in filters])
    print(table(headers, lines) + "\n")
    lines = []
    for (expect, category), counts in sorted(by_category.items()):
        what = "recall" if expect == "block" else "false positives"
        lines.append([f"{expect}: {category}", counts[filters[0]][1], what]
                     + [pct(*counts[f]) for f in filters])
    print(table(["category", "messages", "measure"] + filters, lines) + "\n")


def third_party_report(h):
    print(f"{h} Third-party data (loaded at report time, not in the repository)\n")
    languages = sorted(p.stem for p in QUALITY.glob("*.tsv"))
    lists = {}
    if NAUGHTY.exists():
        for language in languages:
            items = []
            for name in LDNOOBW_FILES.get(language, [language]):
                path = NAUGHTY / f"{name}.json"
                if path.exists():
                    items += json.loads(path.read_text(encoding="utf-8"))
            if items:
                lists[language] = items
    else:
        print("The npm package naughty-words is not installed: no LDNOOBW recall.\n")
    frequent = {}
    try:
        import wordfreq
        for language in languages:
            code = WORDFREQ_CODES.get(language, language)
            if code in wordfreq.available_languages():
                listed = {w.lower() for w in lists.get(language, [])}
                # The lists' own profane words are not false positives.
                frequent[language] = [w for w in wordfreq.top_n_list(code, FREQUENT) if w not in listed]
    except ImportError:
        print("The Python package wordfreq is not installed: no frequent-word false positives.\n")
    texts, spans = [], {}
    for key, items in [(("list", l), i) for l, i in lists.items()] + [(("frequent", l), w) for l, w in frequent.items()]:
        spans[key] = (len(texts), len(texts) + len(items))
        texts += items
    if not texts:
        return
    verdicts = classify(texts)
    filters = [f for f in FILTERS if f in verdicts]
    lines = []
    for language in languages:
        row = [language]
        for kind in ("list", "frequent"):
            span = spans.get((kind, language))
            if span is None:
                row += ["–"] * (len(filters) + 1)
                continue
            a, b = span
            row.append(b - a)
            row += [pct(sum(verdicts[f][a:b]), b - a) for f in filters]
        lines.append(row)
    headers = (["language", "LDNOOBW items"] + [f"recall {f}" for f in filters]
               + [f"frequent words (top {FREQUENT})"] + [f"false pos. {f}" for f in filters])
    print("LDNOOBW: the lists of the npm package naughty-words (items include ordinary words "
          "and drug, medical and search-engine terms that a chat policy lets through). Frequent "
          f"words: wordfreq's {FREQUENT} most frequent words of the language, without the words "
          "its LDNOOBW list contains; a blocked word may still be profanity (frequency lists "
          "include it).\n")
    print(table(headers, lines) + "\n")


def main():
    level = int(sys.argv[sys.argv.index("--markdown-level") + 1]) if "--markdown-level" in sys.argv else 2
    h = "#" * level
    labelled_report(h)
    third_party_report(h)


if __name__ == "__main__":
    main()
