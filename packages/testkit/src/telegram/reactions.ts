// The emoji a bot may react with (Bot API ReactionTypeEmoji). Compared without U+FE0F, which
// clients often append (❤️ vs ❤).
const ALLOWED_REACTIONS = new Set(
  [
    '👍',
    '👎',
    '❤',
    '🔥',
    '🥰',
    '👏',
    '😁',
    '🤔',
    '🤯',
    '😱',
    '🤬',
    '😢',
    '🎉',
    '🤩',
    '🤮',
    '💩',
    '🙏',
    '👌',
    '🕊',
    '🤡',
    '🥱',
    '🥴',
    '😍',
    '🐳',
    '❤‍🔥',
    '🌚',
    '🌭',
    '💯',
    '🤣',
    '⚡',
    '🍌',
    '🏆',
    '💔',
    '🤨',
    '😐',
    '🍓',
    '🍾',
    '💋',
    '🖕',
    '😈',
    '😴',
    '😭',
    '🤓',
    '👻',
    '👨‍💻',
    '👀',
    '🎃',
    '🙈',
    '😇',
    '😨',
    '🤝',
    '✍',
    '🤗',
    '🫡',
    '🎅',
    '🎄',
    '☃',
    '💅',
    '🤪',
    '🗿',
    '🆒',
    '💘',
    '🙉',
    '🦄',
    '😘',
    '💊',
    '🙊',
    '😎',
    '👾',
    '🤷‍♂',
    '🤷',
    '🤷‍♀',
    '😡',
  ].map(withoutVariationSelector),
);

function withoutVariationSelector(emoji: string): string {
  return emoji.replaceAll('\uFE0F', '');
}

/** Whether a ReactionType object is one a bot may set. */
export function isAllowedReaction(reaction: unknown): boolean {
  if (typeof reaction !== 'object' || reaction === null) return false;
  const { type, emoji } = reaction as { type?: unknown; emoji?: unknown };
  if (type === 'custom_emoji' || type === 'paid') return true;
  return (
    type === 'emoji' && typeof emoji === 'string' && ALLOWED_REACTIONS.has(withoutVariationSelector(emoji))
  );
}
