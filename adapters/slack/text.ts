/** Undo Slack's escaping of user-typed text (slash command text, message events). */
export function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Remove a leading `<@BOTID>` (app_mention text) and Slack's `<url|label>` link wrapping. */
export function stripMention(text: string, botUserId: string | undefined): string {
  const mention = botUserId ? new RegExp(`^\\s*<@${botUserId}(\\|[^>]*)?>\\s*`) : /^\s*<@[A-Z0-9]+(\|[^>]*)?>\s*/;
  return text.replace(mention, '').replace(/<((?:https?|mailto):[^|>]+)(?:\|[^>]*)?>/g, '$1');
}
