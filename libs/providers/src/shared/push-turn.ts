/** One turn of a conversation in a protocol that alternates user and assistant turns. */
export interface Turn<Role, Block> {
  role: Role;
  content: Block[];
}

/**
 * Appends `blocks` as a turn of `role`, merged into the previous turn when
 * it has the same role (Anthropic Messages and Bedrock Converse take strictly
 * alternating turns; the IR may hold a tool message and a user message in a
 * row). Merged tool results go before the turn's other blocks: they must open
 * the user turn that answers the tool calls. No blocks, no turn.
 */
export function pushTurn<Role, Block>(turns: Turn<Role, Block>[], role: Role, blocks: Block[], isToolResult: (block: Block) => boolean): void {
  if (blocks.length === 0) return;
  const last = turns[turns.length - 1];
  if (!last || last.role !== role) {
    turns.push({ role, content: blocks });
    return;
  }
  const results = blocks.filter(isToolResult);
  const others = blocks.filter((block) => !isToolResult(block));
  const firstOther = last.content.findIndex((block) => !isToolResult(block));
  if (results.length > 0 && firstOther !== -1) last.content.splice(firstOther, 0, ...results);
  else last.content.push(...results);
  last.content.push(...others);
}
