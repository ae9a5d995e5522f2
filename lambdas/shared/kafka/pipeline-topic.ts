/**
 * The topic the listening events travel on, its partitions, how long it keeps records, and the
 * consumer group that reads it into the lake, when nothing configures them otherwise: the stacks,
 * the producer and the command line all start from these.
 */
export const DEFAULT_EVENTS_TOPIC = 'spotify-events';
export const DEFAULT_PARTITION_COUNT = 6;
export const DEFAULT_TOPIC_RETENTION_HOURS = 7 * 24;
export const DEFAULT_LAKE_CONSUMER_GROUP = 'spotify-lake-consumer';
