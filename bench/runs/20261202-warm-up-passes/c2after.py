"""The optimizing compiler's work after a benchmark target became ready, from its JIT logs.

    python3 c2after.py <run dir> '<glob of the JIT logs>'

The run dir is a bench/run --compare output whose logs/<target>#<round>.log hold Quarkus's "started in" line (the
time the target listened); the JIT logs are -Xlog:jit+compilation=debug:file=jit-%p.log:time,uptime of each target
(BENCH_JVM_OPTS), matched to a target by that time. Prints, per target, the C2 compilations before and after it was
ready, those of this project's classes, and those whose last compilation before ready was at level 2 (C1 with
counters only, what HotSpot gives a method while the C2 queue is long).
"""
import collections
import glob
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "20261201-jit-queue"))
from queue import rows  # noqa: E402

run = sys.argv[1]
jitglob = sys.argv[2]
ready={}
for f in glob.glob(run+'/logs/*#*.log'):
    for line in open(f,errors='replace'):
        m=re.search(r'\d\d:\d\d:\d\d,\d+ INFO  \[io.quarkus\] \(main\) .*started in',line)
        if m:
            ready[line[11:23].replace(',','.')]=f.split('/')[-1][:-4]; break
out=[]
for f in sorted(glob.glob(jitglob)):
    rs=list(rows(f))
    if not rs: continue
    hit=[(t,n) for t,n in ready.items() if rs[0]['wall']<=t<=rs[-1]['wall']]
    if not hit: continue
    t,n=hit[0]
    before=collections.defaultdict(list)
    for r in rs:
        if r['wall']<=t: before[r['method']].append(r['level'])
    c2=[r for r in rs if r['level']=='4' and not r['discarded'] and r['wall']>t]
    c2b=[r for r in rs if r['level']=='4' and not r['discarded'] and r['wall']<=t]
    qsio=[r for r in c2 if r['method'].startswith('dev.qsio.runtime')]
    out.append((n,len(c2b),len(c2),len(qsio),sum(1 for r in c2 if before[r['method']][-1:]==['2'])))
for o in sorted(out): print("%-6s C2 before ready %4d, after %4d (dev.qsio %3d, at level 2 before %3d)"%o)
