/**
 * A swarm drawn as a graph (@xyflow/react): a node per role, an arrow per pipeline synapse, a dashed double line per
 * collaboration, the lead marked. Editable (drag from one node's right edge to another's left to link them) or, for
 * a run, read-only with each node's live state.
 */
import type { SwarmMemberStatus, SwarmRequest } from '@praktor/protocol';
import {
  Background,
  type Connection,
  type Edge,
  Handle,
  MarkerType,
  type Node,
  type NodeProps,
  Position,
  ReactFlow,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';

/** What one node shows. */
interface RoleData extends Record<string, unknown> {
  role: string;
  agentId: string;
  lead: boolean;
  status: SwarmMemberStatus | null;
  selected: boolean;
}

type RoleNode = Node<RoleData, 'role'>;

function RoleCard({ data }: NodeProps<RoleNode>) {
  return (
    <div
      className={`swarm-node${data.selected ? ' swarm-node-selected' : ''}`}
      data-testid="swarm-node"
      data-role={data.role}
      data-status={data.status ?? 'draft'}
    >
      <Handle type="target" position={Position.Left} />
      <strong>{data.role}</strong>
      <span className="muted">{data.agentId}</span>
      {data.lead && <span className="swarm-lead">lead</span>}
      {data.status && <span className={`swarm-status swarm-status-${data.status}`}>{data.status}</span>}
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

const NODE_TYPES = { role: RoleCard };

/** Where each role goes: columns by the order of the request, wrapping every four. */
function place(index: number): { x: number; y: number } {
  return { x: (index % 4) * 210, y: Math.floor(index / 4) * 130 + (index % 2) * 40 };
}

/** The graph of `request`; `statuses` colour a run's nodes, `onConnect` makes it editable. */
export function SwarmGraph({
  request,
  statuses,
  selected,
  onSelect,
  onConnect,
  testId,
}: {
  request: SwarmRequest;
  statuses?: Record<string, SwarmMemberStatus>;
  selected?: string | null;
  onSelect?: (role: string) => void;
  onConnect?: (from: string, to: string) => void;
  testId: string;
}) {
  const nodes: RoleNode[] = request.agents.map((a, i) => ({
    id: a.role,
    type: 'role',
    position: place(i),
    data: {
      role: a.role,
      agentId: a.agent_id,
      lead: a.role === request.lead_agent,
      status: statuses?.[a.role] ?? null,
      selected: a.role === selected,
    },
  }));
  const edges: Edge[] = request.synapses.map((s, i) => ({
    id: `${i}-${s.from}-${s.to}`,
    source: s.from,
    target: s.to,
    animated: statuses !== undefined && statuses[s.to] === 'running',
    style: s.bidirectional ? { strokeDasharray: '6 4' } : undefined,
    markerEnd: { type: MarkerType.ArrowClosed },
    ...(s.bidirectional ? { markerStart: { type: MarkerType.ArrowClosed } } : {}),
  }));
  return (
    <div className="swarm-graph" data-testid={testId}>
      <ReactFlow
        // Drawn anew when members come or go, so that the view fits them all.
        key={nodes.map((n) => n.id).join(' ')}
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        fitView
        nodesDraggable={false}
        nodesConnectable={onConnect !== undefined}
        onNodeClick={(_event, node) => onSelect?.(node.id)}
        onConnect={(c: Connection) => {
          if (c.source && c.target && c.source !== c.target) onConnect?.(c.source, c.target);
        }}
        proOptions={{ hideAttribution: true }}
      >
        <Background />
      </ReactFlow>
    </div>
  );
}
