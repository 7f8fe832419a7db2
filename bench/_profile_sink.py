import asyncio, cProfile, pstats, sys, tempfile, uuid
from pathlib import Path
import warehouse as W
from vaxflow_servicekit.kafka import ensure_topics
from vaxflow_servicekit.settings import KafkaSettings

async def main(n, procs):
    settings = KafkaSettings()
    topic = f"bench.warehouse-{uuid.uuid4().hex[:8]}.v1"
    await ensure_topics(settings, [topic], partitions=6)
    values = [(e.key.encode(), e.to_bytes()) for e in W.events(n)]
    await W.produce(settings, topic, values)
    work = Path(tempfile.mkdtemp())
    pr = cProfile.Profile(); pr.enable()
    r = await W.sink_rate(settings, topic, n, work / "s", processes=procs)
    pr.disable()
    print(r)
    await W._delete_topics(settings, [topic])
    pstats.Stats(pr).sort_stats("tottime").print_stats(30)

if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
