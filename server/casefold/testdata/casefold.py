#!/usr/bin/env python3
"""Print Python's str.casefold of each input line as JSON.

This is the reference the casefold lab is tested against: the golden file
python_casefold.json beside it is this script's output, and fold_test.go
re-runs the script when python3 is on the PATH so the golden file cannot drift
from what Python really does.

usage: python3 casefold.py < inputs.json > python_casefold.json
"""
import json
import sys
import unicodedata

inputs = json.load(sys.stdin)
out = {
    "python": sys.version.split()[0],
    "unicode": unicodedata.unidata_version,
    "cases": [{"in": s, "want": s.casefold()} for s in inputs],
}
json.dump(out, sys.stdout, ensure_ascii=True, indent=1)
sys.stdout.write("\n")
