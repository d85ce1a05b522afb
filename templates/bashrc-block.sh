# >>> kafka-setup: Kafka heap >>>
# Written by kafka-setup; it replaces this block on every run (change it with: kafka-setup init --heap SIZE).
export KAFKA_HEAP_OPTS="{{heapOpts}}"
# <<< kafka-setup: Kafka heap <<<
