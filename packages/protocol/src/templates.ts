/**
 * Files both the gateway and a runner may create, so their first content is defined once.
 */

/** Starting point for an agent's AGENT.md; the agent (or its owner) fills it in. */
export const AGENT_MD_TEMPLATE = `# Agent Identity

## Name
(What you are called.)

## Vibe
(How you come across: tone, manner, humour.)

## Expertise
(What you are especially good at.)
`;
