#!/usr/bin/env python3
"""The table of bench/compare: each figure's median over the rounds per commit (with its min and max), and the
ratio of each other commit's median to the first's. Usage: compare-table.py results.json NAME_A NAME_B [NAME ...]"""
import json
import sys

from tables import markdown

if __name__ == "__main__":
    print(markdown(json.load(open(sys.argv[1])), sys.argv[2:]))
