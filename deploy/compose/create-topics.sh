#!/usr/bin/env bash
# Creates Odometer's topics on the compose cluster (run by the kafka-topics service). Safe to
# run again: an existing topic is left as it is, partition count included, since adding
# partitions moves keys between them (see "Scaling out" in the README).
set -euo pipefail

bootstrap=${KAFKA_BOOTSTRAP:-kafka:9092}
topics=/opt/kafka/bin/kafka-topics.sh

create() {
  # LogAppendTime: a message's timestamp is when the broker appended it, which is what
  # close readiness and the dedup window measure ("arrival"), not a producer's clock.
  "$topics" --bootstrap-server "$bootstrap" --create --if-not-exists \
    --topic "$1" --partitions "$2" --replication-factor 1 \
    --config message.timestamp.type=LogAppendTime
}

create usage "${USAGE_PARTITIONS:-12}"
create usage.dlq "${DLQ_PARTITIONS:-3}"
# For the log: the topics as they are now.
"$topics" --bootstrap-server "$bootstrap" --describe --topic 'usage|usage[.]dlq'
