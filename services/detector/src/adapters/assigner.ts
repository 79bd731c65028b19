import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

export const SINGLE_ACTIVE_PROTOCOL = 'RotationSingleActive';

interface MemberInfo {
  startedAt: number;
  instance: string;
}

/**
 * Gives every partition of the subscribed topics to ONE member of the group, the longest
 * running one (ties by instance name); the others stand by with nothing assigned and take
 * over on the next rebalance when it leaves or dies. The detector's cross-symbol analytics
 * need every symbol in one place, and one active instance is the simplest way to make N
 * instances compute exactly what one does (see docs/architecture.md). Preferring the oldest
 * member keeps a healthy active instance in place when a standby joins.
 */
export function singleActiveAssigner(info: MemberInfo): PartitionAssigner {
  return ({ cluster }) => ({
    name: SINGLE_ACTIVE_PROTOCOL,
    version: 1,
    async assign({ members, topics }) {
      const decoded = members.map((m) => {
        let meta: MemberInfo = { startedAt: Number.MAX_SAFE_INTEGER, instance: m.memberId };
        try {
          const md = AssignerProtocol.MemberMetadata.decode(m.memberMetadata);
          if (md?.userData && md.userData.length > 0) meta = JSON.parse(md.userData.toString('utf8')) as MemberInfo;
        } catch {
          // unreadable metadata: such a member sorts last
        }
        return { memberId: m.memberId, ...meta };
      });
      decoded.sort((a, b) => a.startedAt - b.startedAt || (a.instance < b.instance ? -1 : a.instance > b.instance ? 1 : a.memberId < b.memberId ? -1 : 1));
      const active = decoded[0]?.memberId;
      const all: Record<string, number[]> = {};
      for (const topic of topics) all[topic] = cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId);
      return members.map((m) => ({
        memberId: m.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment: m.memberId === active ? all : {},
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol({ topics }) {
      return {
        name: SINGLE_ACTIVE_PROTOCOL,
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.from(JSON.stringify(info)) }),
      };
    },
  });
}
