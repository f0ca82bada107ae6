/**
 * Option `redact`: a message whose content the publisher removed. Its anchor and place stay (a
 * permalink to it still lands on its page); its text, attachments and search entry do not.
 */
export const REDACTED_TEXT = 'Message removed';
export const REDACTED_HTML = '<span class="cc-redacted">Message removed</span>';
