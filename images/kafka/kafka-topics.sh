#!/bin/sh
# kafka-topics.sh as in the Kafka distribution (its TopicCommand), from the image's jars.
exec java -cp '/opt/kafka/libs/*' -Dlog4j.configuration=file:/opt/kafka/config/tools-log4j.properties \
  org.apache.kafka.tools.TopicCommand "$@"
