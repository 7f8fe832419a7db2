import asyncio, sys, tempfile, time, uuid
from pathlib import Path
import warehouse as W
from vaxflow_servicekit.kafka import ensure_topics
from vaxflow_servicekit.settings import KafkaSettings
from vaxflow_warehouse.store.ranges import RangeStore
from vaxflow_warehouse.handlers import ingest as I
spent = {"store": 0.0, "n": 0, "ready": 0.0}
orig = RangeStore.store_batch
def timed(self, *a, **k):
    t = time.perf_counter(); orig(self, *a, **k); spent["store"] += time.perf_counter() - t; spent["n"] += 1
RangeStore.store_batch = timed
orig_ready = I.Ingest.ready
async def ready(self, b):
    t = time.perf_counter(); await orig_ready(self, b); spent["ready"] += time.perf_counter() - t
I.Ingest.ready = ready
from vaxflow_warehouse.workers import sink as S
orig_write = S.WarehouseSink._write
T0 = [0.0]
async def write(self, consumer, partitions):
    parts = list(partitions)
    sizes = [self._batches[tp].size for tp in parts if tp in self._batches]
    t = time.perf_counter()
    if not QUIET: print(f"write start {t-T0[0]:.2f} sizes {sizes}", flush=True)
    await orig_write(self, consumer, parts)
    if not QUIET: print(f"write end {time.perf_counter()-T0[0]:.2f} took {time.perf_counter()-t:.2f}", flush=True)
S.WarehouseSink._write = write
orig_poll = S.WarehouseSink._poll_once
async def poll(self, consumer):
    if T0[0] == 0.0: T0[0] = time.perf_counter()
    await orig_poll(self, consumer)
S.WarehouseSink._poll_once = poll
import os
from vaxflow_warehouse.domain.batching import BatchPolicy
I.CHUNK_ROWS = int(os.environ.get("CHUNK", "5000"))
W.BatchPolicy = lambda **k: BatchPolicy(max_rows=int(os.environ.get("ROWS", "50000")), max_seconds=1.0)
QUIET = os.environ.get("QUIET")
if os.environ.get("SWITCH"): sys.setswitchinterval(float(os.environ["SWITCH"]))
import threading
def _cpu(pid):
    try:
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0
def sampler(stop, out):
    me = os.getpid()
    prev = None
    while not stop.is_set():
        kids = [int(x) for x in open(f"/proc/{me}/task/{me}/children").read().split()]
        now = (time.perf_counter(), _cpu(me), sum(_cpu(k) for k in kids))
        if prev:
            dt = now[0]-prev[0]
            out.append((round(now[0]-T0[0],1) if T0[0] else 0, round((now[1]-prev[1])/dt,2), round((now[2]-prev[2])/dt,2)))
        prev = now
        time.sleep(0.25)
async def main(n, procs):
    settings = KafkaSettings()
    topic = f"bench.warehouse-{uuid.uuid4().hex[:8]}.v1"
    await ensure_topics(settings, [topic], partitions=6)
    values = [(e.key.encode(), e.to_bytes()) for e in W.events(n)]
    await W.produce(settings, topic, values)
    for _ in range(1):
        T0[0] = 0.0
        spent.update(store=0.0, n=0, ready=0.0)
        stop = threading.Event(); out = []
        th = threading.Thread(target=sampler, args=(stop, out), daemon=True); th.start()
        r = await W.sink_rate(settings, topic, n, Path(tempfile.mkdtemp()) / "s", processes=procs)
        stop.set(); th.join()
        print("t sink workers:", " ".join(f"{t}:{a}/{b}" for t, a, b in out))
        print(r["per_second"], r["seconds"], r["cpu_seconds"], spent)
    await W._delete_topics(settings, [topic])
if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
