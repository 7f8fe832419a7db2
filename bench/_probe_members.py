import asyncio, multiprocessing as mp, os, sys, tempfile, time, uuid
from pathlib import Path
import warehouse as W
from vaxflow_servicekit.kafka import ensure_topics, create_producer
from vaxflow_servicekit.settings import KafkaSettings
from vaxflow_warehouse.domain.batching import BatchPolicy
from vaxflow_warehouse.domain.pseudonyms import Pseudonymiser
from vaxflow_warehouse.domain.rows import RowShaper
from vaxflow_warehouse.handlers.ingest import Ingest
from vaxflow_warehouse.store.ranges import RangeStore
from vaxflow_warehouse.workers.sink import WarehouseSink

def member(topic, group, root, count, ready):
    async def run():
        settings = KafkaSettings()
        store = RangeStore(Path(root))
        producer = create_producer(settings); await producer.start()
        sink = WarehouseSink(kafka=settings, group=group, topics=[topic], ingest=Ingest(RowShaper(Pseudonymiser(W.KEY)), store),
            store=store, policy=BatchPolicy(max_rows=int(os.environ.get("ROWS","50000")), max_seconds=1.0), producer=producer, fetch_max_records=5000)
        ready.wait()
        task = asyncio.create_task(sink.run())
        while W.stored(Path(root), topic) < count:
            if task.done(): task.result()
            await asyncio.sleep(0.1)
        sink.stop(); await task; await producer.stop()
    asyncio.run(run())

def cpu(pid):
    try:
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
    except OSError: return 0.0

async def main(n, members):
    settings = KafkaSettings()
    topic = f"bench.warehouse-{uuid.uuid4().hex[:8]}.v1"
    await ensure_topics(settings, [topic], partitions=6)
    values = [(e.key.encode(), e.to_bytes()) for e in W.events(n)]
    await W.produce(settings, topic, values)
    root = tempfile.mkdtemp(); group = f"bench.m-{uuid.uuid4().hex[:6]}"
    ctx = mp.get_context("spawn"); ready = ctx.Event()
    procs = [ctx.Process(target=member, args=(topic, group, root, n, ready)) for _ in range(members)]
    for p in procs: p.start()
    await asyncio.sleep(4)  # imports done
    c0 = sum(cpu(p.pid) for p in procs); t0 = time.perf_counter()
    ready.set()
    samples = []
    while (k := W.stored(Path(root), topic)) < n:
        samples.append((time.perf_counter(), k, sum(cpu(p.pid) for p in procs)))
        await asyncio.sleep(0.05)
    samples.append((time.perf_counter(), n, sum(cpu(p.pid) for p in procs)))
    t = time.perf_counter() - t0; c = sum(cpu(p.pid) for p in procs) - c0
    a = next(x for x in samples if x[1] >= 0.1 * n); b = next(x for x in samples if x[1] >= 0.9 * n)
    steady = (b[1] - a[1]) / (b[0] - a[0]); steady_cpu = (b[2] - a[2]) / (b[1] - a[1]) * 1e6
    print(f"members {members}: {n/t:.0f}/s wall {t:.2f} cpu {c:.2f} ({c/n*1e6:.1f} us/event) steady {steady:.0f}/s {steady_cpu:.1f} us/event cores {(b[2]-a[2])/(b[0]-a[0]):.2f}")
    for p in procs: p.join(30)
    await W._delete_topics(settings, [topic])
if __name__ == "__main__":
    with W.services_stopped(True):
        for m in sys.argv[2].split(","):
            asyncio.run(main(int(sys.argv[1]), int(m)))
