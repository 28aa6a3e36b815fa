#!/usr/bin/env python3
"""A training job's data loader: read one flywheel round from Kafka and write the trainer's files.

The round's manifest (fw.RoundManifest on the compacted topic fw.rounds) lists, per topic and partition, the
half-open offset range [start, end) the round produced. This job consumes exactly those ranges of
fw.sft.trajectories, fw.rl.groups and fw.cpt.samples with isolation.level=read_committed (so records of
aborted transactions are skipped), decodes the Avro single-object encoding (C3 01, 8-byte little-endian
CRC-64-AVRO fingerprint of the writer schema's parsing canonical form, Avro binary body) against the schemas in
schemas/, and writes:

  sft.jsonl  OpenAI chat messages with tool_calls (arguments as a JSON string), one trajectory per line
  rl.jsonl   one GRPO group per line: prompt, ground truth, trajectory ids, rewards, advantages, loss mask
  cpt.jsonl  {"id", "origin", "text"} per continual pre-training sample

Records whose id appeared earlier in the round (the same record written twice) are skipped, as `flywheel export`
does. Reading a closed round twice gives the same records in the same order.

    examples/python/setup.sh
    examples/python/.venv/bin/python examples/python/read_round.py --round 1 --out out/round-1
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import sys
import time
from pathlib import Path

import fastavro
from confluent_kafka import Consumer, KafkaError, TopicPartition
from fastavro.schema import fingerprint, load_schema, to_parsing_canonical_form

ROUNDS_TOPIC = "fw.rounds"
# logical topic → (value schema, output file)
DATASETS = {
    "fw.sft.trajectories": ("fw.Trajectory", "sft.jsonl"),
    "fw.rl.groups": ("fw.RlGroup", "rl.jsonl"),
    "fw.cpt.samples": ("fw.CptSample", "cpt.jsonl"),
}
MAGIC = b"\xc3\x01"


class SchemaCatalog:
    """Every schemas/fw.*.avsc (file name = full name, so load_schema resolves named references)."""

    def __init__(self, directory: Path):
        self.by_name: dict[str, dict] = {}
        self.by_fingerprint: dict[bytes, dict] = {}
        for path in sorted(directory.glob("fw.*.avsc")):
            schema = load_schema(str(path))
            self.by_name[path.stem] = schema
            # fastavro renders CRC-64-AVRO as the hex of the 8 bytes in little-endian order: the header's bytes
            self.by_fingerprint[bytes.fromhex(fingerprint(to_parsing_canonical_form(schema), "CRC-64-AVRO"))] = schema

    def decode(self, data: bytes, reader_name: str) -> dict:
        if len(data) < 10 or data[:2] != MAGIC:
            raise ValueError(f"not Avro single-object encoded ({len(data)} bytes)")
        writer = self.by_fingerprint.get(data[2:10])
        if writer is None:
            raise ValueError(f"unknown writer schema fingerprint {data[2:10].hex()}")
        return fastavro.schemaless_reader(io.BytesIO(data[10:]), writer, self.by_name[reader_name])


def consumer(bootstrap: str) -> Consumer:
    return Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": f"fw-python-reader-{os.getpid()}",  # never commits: offsets come from the manifest
        "enable.auto.commit": False,
        "isolation.level": "read_committed",
        "enable.partition.eof": True,
        "auto.offset.reset": "earliest",
    })


def read_range(c: Consumer, topic: str, partition: int, start: int, end: int, timeout_s: float = 30.0):
    """Yields the committed messages of [start, end); transaction markers and aborted records are skipped."""
    if end <= start:
        return
    tp = TopicPartition(topic, partition, start)
    c.assign([tp])
    deadline = time.monotonic() + timeout_s
    while True:
        msg = c.poll(0.5)
        if msg is None or (msg.error() and msg.error().code() == KafkaError._PARTITION_EOF):
            # the position moves past markers and aborted records even when no message is delivered
            position = c.position([TopicPartition(topic, partition)])[0].offset
            if position >= end:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{topic}/{partition}: stuck at offset {position}, expected to reach {end}")
            continue
        if msg.error():
            raise RuntimeError(f"{topic}/{partition}: {msg.error()}")
        if msg.offset() >= end:
            break
        deadline = time.monotonic() + timeout_s
        yield msg
        if msg.offset() + 1 >= end:
            break
    c.unassign()


def read_manifest(c: Consumer, catalog: SchemaCatalog, prefix: str, round_number: int) -> dict:
    topic = prefix + ROUNDS_TOPIC
    low, high = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
    latest: dict | None = None
    for msg in read_range(c, topic, 0, low, high):
        if msg.value() is None:
            continue  # tombstone
        manifest = catalog.decode(msg.value(), "fw.RoundManifest")
        if manifest["round"] == round_number:
            latest = manifest  # the compacted topic's last write per round is its current state
    if latest is None:
        raise SystemExit(f"round {round_number} has no manifest on {topic}")
    if latest["status"] != "closed":
        raise SystemExit(f"round {round_number} is still {latest['status']}: close it before training on it")
    return latest


def read_topic(c: Consumer, catalog: SchemaCatalog, topic: str, schema: str):
    """Yields (key, decoded value or None for a tombstone) of every committed record of a topic, partition by partition."""
    metadata = c.list_topics(topic, timeout=10).topics.get(topic)
    if metadata is None or metadata.error is not None:
        return  # an older deployment without the topic
    for partition in sorted(metadata.partitions):
        low, high = c.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
        for msg in read_range(c, topic, partition, low, high):
            key = msg.key().decode() if msg.key() else ""
            yield key, (None if msg.value() is None else catalog.decode(msg.value(), schema))


def contamination(c: Consumer, catalog: SchemaCatalog, prefix: str):
    """What flywheel export leaves out (services/decontam/verdicts.ts): records with an open decontamination verdict
    of a registered set, every record of a question that hit, and records derived from a hit record."""
    sets: dict[str, dict] = {}
    for key, value in read_topic(c, catalog, prefix + "fw.decontam.sets", "fw.EvalSet"):
        if value is None:
            sets.pop(key, None)
        else:
            sets[key] = value
    last: dict[tuple[str, str], dict] = {}
    for _, v in read_topic(c, catalog, prefix + "fw.decontam.verdicts", "fw.DecontamVerdict"):
        if v is not None and v["set_name"] in sets:
            last[(v["subject_id"], v["set_name"])] = v
    ids: set[str] = set()
    questions: set[str] = set()
    for v in last.values():
        if v["tier"] == "released":
            continue
        ids.add(v["subject_id"])
        if v["subject_topic"] == "fw.fas.questions":
            questions.add(v["subject_id"])
        elif v["field"] == "question" and v["question_id"]:
            questions.add(v["question_id"])
    blocked = ids | questions

    def blocks(record: dict) -> bool:
        return record["id"] in blocked or record.get("question_id") in questions or any(p in blocked for p in record.get("parent_ids", []))

    return blocks


def chat_messages(t: dict) -> dict:
    """OpenAI chat format: user question, assistant turns with tool_calls, tool results, final answer."""
    messages: list[dict] = [{"role": "user", "content": t["question"]}]
    for step in t["steps"]:
        call = step.get("tool_call")
        if call:
            call_id = f"call_{step['index']}"
            messages.append({
                "role": "assistant",
                "content": step["thought"],
                "tool_calls": [{"id": call_id, "type": "function", "function": {"name": call["name"], "arguments": call["arguments_json"]}}],
            })
            messages.append({"role": "tool", "tool_call_id": call_id, "content": step["tool_response"]})
        elif step.get("answer") is not None:
            messages.append({"role": "assistant", "content": step["answer"]})
    return {"id": t["id"], "question_id": t["question_id"], "messages": messages}


def rl_row(g: dict) -> dict:
    return {
        "id": g["id"],
        "prompt": [{"role": "user", "content": g["question"]}],
        "reward_model": {"style": "rule", "ground_truth": g["ground_truth"]},
        "question_style": g["question_style"],
        "trajectory_ids": g["trajectory_ids"],
        "rewards": g["rewards"],
        "advantages": g["advantages"],
        "loss_mask": g["loss_mask"],
    }


RENDER = {"fw.sft.trajectories": chat_messages, "fw.rl.groups": rl_row, "fw.cpt.samples": lambda s: {"id": s["id"], "origin": s["origin"], "text": s["text"]}}


def plain(value):
    """JSON for decoded Avro: timestamps back to epoch milliseconds, as the TypeScript side sees them."""
    if isinstance(value, dt.datetime):
        return int(value.timestamp() * 1000)
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(type(value))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--round", type=int, required=True)
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BROKERS", "127.0.0.1:19092"))
    parser.add_argument("--topic-prefix", default=os.environ.get("TOPIC_PREFIX", ""))
    parser.add_argument("--schemas", type=Path, default=Path(__file__).resolve().parents[2] / "schemas")
    parser.add_argument("--out", type=Path, default=Path("out"))
    parser.add_argument("--keep-duplicates", action="store_true", help="keep records whose id appeared earlier in the round (default: skip them, as flywheel export does)")
    parser.add_argument("--dump-records", type=Path, help="also write every decoded record with its topic/partition/offset (JSONL)")
    args = parser.parse_args()

    catalog = SchemaCatalog(args.schemas)
    c = consumer(args.bootstrap)
    try:
        manifest = read_manifest(c, catalog, args.topic_prefix, args.round)
        args.out.mkdir(parents=True, exist_ok=True)
        dump = args.dump_records.open("w") if args.dump_records else None
        counts = {}
        duplicates = 0
        contaminated = 0
        blocks = contamination(c, catalog, args.topic_prefix)
        for topic, (schema, filename) in DATASETS.items():
            ranges = sorted((r for r in manifest["ranges"] if r["topic"] == topic), key=lambda r: r["partition"])
            n = 0
            seen: set[str] = set()
            with (args.out / filename).open("w") as out:
                for r in ranges:
                    for msg in read_range(c, args.topic_prefix + topic, r["partition"], r["start"], r["end"]):
                        if msg.value() is None:
                            continue
                        value = catalog.decode(msg.value(), schema)
                        if value["id"] in seen and not args.keep_duplicates:
                            duplicates += 1  # the same record written twice (a redelivery): train on it once
                            continue
                        seen.add(value["id"])
                        if blocks(value):
                            contaminated += 1  # a decontamination hit: flywheel export leaves it out too
                            continue
                        out.write(json.dumps(RENDER[topic](value), ensure_ascii=False, default=plain) + "\n")
                        if dump:
                            dump.write(json.dumps({"topic": topic, "partition": msg.partition(), "offset": msg.offset(), "value": value}, ensure_ascii=False, default=plain) + "\n")
                        n += 1
            counts[topic] = n
        if dump:
            dump.close()
    finally:
        c.close()
    print(json.dumps({"round": args.round, "model": manifest["model"], "parent_round": manifest.get("parent_round"), "derivation": manifest.get("derivation", ""), "records": counts, "duplicates_skipped": duplicates, "contaminated_skipped": contaminated, "out": str(args.out)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
