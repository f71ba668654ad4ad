import json,sys,glob,statistics as st
base=sys.argv[1]; groups=sys.argv[2:]
rows={}
for g in groups:
    for f in sorted(glob.glob(f'{base}/{g}[0-9]*/results.json')):
        d=json.load(open(f))
        for t in d['targets']:
            c=t['connections']
            if not c: continue
            r=rows.setdefault((t['name'],g),{})
            for k,v in [('warm',c['warmHandshakesPerSecond']),('cold',c['coldHandshakesPerSecond']),
                        ('cpu_us',c['targetCpuSeconds']*1e6/c['clients']),('kb',c['rssPerConnectionKb']),('start',t['startupSeconds'])]:
                r.setdefault(k,[]).append(v)
for (name,g),r in sorted(rows.items()):
    print(f"{name:14} {g:3} "+"  ".join(f"{k} {st.median(v):.0f} ({min(v):.0f}-{max(v):.0f})" if k not in('kb','start') else f"{k} {st.median(v):.2f} ({min(v):.2f}-{max(v):.2f})" for k,v in r.items()))
