import asyncio, sys, time, uuid
import warehouse as W
from aiokafka import AIOKafkaConsumer
from vaxflow_servicekit.kafka import ensure_topics
from vaxflow_servicekit.settings import KafkaSettings
async def main(n):
    settings = KafkaSettings()
    topic = f"bench.warehouse-{uuid.uuid4().hex[:8]}.v1"
    await ensure_topics(settings, [topic], partitions=6)
    values = [(e.key.encode(), e.to_bytes()) for e in W.events(n)]
    await W.produce(settings, topic, values)
    for crc in (True, False):
        c = AIOKafkaConsumer(topic, bootstrap_servers=settings.bootstrap, group_id=None, auto_offset_reset="earliest",
            enable_auto_commit=False, max_poll_records=5000, fetch_max_bytes=64*1024*1024, max_partition_fetch_bytes=8*1024*1024, check_crcs=crc)
        await c.start()
        got = 0; cpu = time.process_time(); t = time.perf_counter()
        while got < n:
            r = await c.getmany(timeout_ms=1000, max_records=5000)
            for tp, ms in r.items():
                vals = [m.value for m in ms]; got += len(ms)
        print("crc", crc, "cpu us/event", round((time.process_time()-cpu)/n*1e6, 2), "rate", round(n/(time.perf_counter()-t)))
        await c.stop()
    await W._delete_topics(settings, [topic])
if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
