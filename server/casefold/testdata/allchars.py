#!/usr/bin/env python3
"""Print every code point whose str.casefold differs from itself, as JSON.

fold_test.go compares the casefold lab against this table for all of Unicode,
which is how the lab found that golang.org/x/text's cases.Fold does not fold
Cherokee the way Python (and CaseFolding.txt) do.

usage: python3 allchars.py > python_allchars.json
"""
import json
import sys
import unicodedata

table = {}
for cp in range(0x110000):
    if 0xD800 <= cp <= 0xDFFF:
        continue
    c = chr(cp)
    f = c.casefold()
    if f != c:
        table["%04X" % cp] = f
json.dump({"python": sys.version.split()[0], "unicode": unicodedata.unidata_version,
           "folds": table}, sys.stdout, ensure_ascii=True, indent=0, sort_keys=True)
sys.stdout.write("\n")
