/** ApiVersions printed the way Kafka's kafka-broker-api-versions.sh prints them. */

/** Kafka 3.1's API names by key (org.apache.kafka.common.protocol.ApiKeys), for display only. */
const API_NAMES = [
  'Produce',
  'Fetch',
  'ListOffsets',
  'Metadata',
  'LeaderAndIsr',
  'StopReplica',
  'UpdateMetadata',
  'ControlledShutdown',
  'OffsetCommit',
  'OffsetFetch',
  'FindCoordinator',
  'JoinGroup',
  'Heartbeat',
  'LeaveGroup',
  'SyncGroup',
  'DescribeGroups',
  'ListGroups',
  'SaslHandshake',
  'ApiVersions',
  'CreateTopics',
  'DeleteTopics',
  'DeleteRecords',
  'InitProducerId',
  'OffsetForLeaderEpoch',
  'AddPartitionsToTxn',
  'AddOffsetsToTxn',
  'EndTxn',
  'WriteTxnMarkers',
  'TxnOffsetCommit',
  'DescribeAcls',
  'CreateAcls',
  'DeleteAcls',
  'DescribeConfigs',
  'AlterConfigs',
  'AlterReplicaLogDirs',
  'DescribeLogDirs',
  'SaslAuthenticate',
  'CreatePartitions',
  'CreateDelegationToken',
  'RenewDelegationToken',
  'ExpireDelegationToken',
  'DescribeDelegationToken',
  'DeleteGroups',
  'ElectLeaders',
  'IncrementalAlterConfigs',
  'AlterPartitionReassignments',
  'ListPartitionReassignments',
  'OffsetDelete',
  'DescribeClientQuotas',
  'AlterClientQuotas',
  'DescribeUserScramCredentials',
  'AlterUserScramCredentials',
  'Vote',
  'BeginQuorumEpoch',
  'EndQuorumEpoch',
  'DescribeQuorum',
  'AlterIsr',
  'UpdateFeatures',
  'Envelope',
  'FetchSnapshot',
  'DescribeCluster',
  'DescribeProducers',
  'BrokerRegistration',
  'BrokerHeartbeat',
  'UnregisterBroker',
  'DescribeTransactions',
  'ListTransactions',
  'AllocateProducerIds',
];

export interface ApiVersion {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
  /** The highest version both the broker and our client speak, when the client implements the API. */
  usable?: number | undefined;
}

export function apiName(key: number): string {
  return API_NAMES[key] ?? 'UNKNOWN';
}

/**
 * `host:port (id: 0 rack: null) -> (` then one `Name(key): min to max [usable: n]` line per API, as
 * Kafka's tool prints them (it knows every API; here `usable` appears where our client implements it).
 */
export function formatApiVersions(address: string, nodeId: number | undefined, rack: string | null, versions: ApiVersion[]): string[] {
  const lines = [...versions]
    .sort((a, b) => a.apiKey - b.apiKey)
    .map((v, i, all) => {
      const range = v.minVersion === v.maxVersion ? `${v.minVersion}` : `${v.minVersion} to ${v.maxVersion}`;
      const usable = v.usable === undefined ? '' : ` [usable: ${v.usable}]`;
      return `\t${apiName(v.apiKey)}(${v.apiKey}): ${range}${usable}${i < all.length - 1 ? ',' : ''}`;
    });
  return [`${address} (id: ${nodeId ?? -1} rack: ${rack ?? 'null'}) -> (`, ...lines, ')'];
}
