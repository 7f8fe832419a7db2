import gc, sys, tempfile, time, cProfile, pstats
from pathlib import Path
import warehouse as W
n = 100000
values = [e.to_bytes() for e in W.events(n)]
raws = [W.Raw("t.v1", 0, i, v) for i, v in enumerate(values)]
if sys.argv[1] == "freeze":
    gc.collect(); gc.freeze()
print(W.pipeline_rate(raws, Path(tempfile.mkdtemp())))
if len(sys.argv) > 2:
    pr = cProfile.Profile(); pr.enable()
    W.pipeline_rate(raws, Path(tempfile.mkdtemp()))
    pr.disable()
    pstats.Stats(pr).sort_stats("tottime").print_stats(25)
