# help: en strings.

## Help desk page

help-page-title = Help desk
help-back = Back to the coworking space
help-intro = Ask the group for help, or help someone else. The person who asked marks the request resolved and names who helped.
help-unnamed = Unnamed participant
help-ask-heading = Ask for help
help-field-title = Topic
help-field-description = Description
help-description-hint = Say what you tried and where you are stuck. You can use Markdown: **bold**, *italic*, `code`, lists and links.
help-field-tags = Skills needed (optional)
help-tags-hint = Up to 8 short tags separated by commas, for example: excel, statistics, slides.
help-ask-submit = Ask for help
help-read-only = You can read the help desk but not write in it, because the course platform did not identify you.
help-open-heading = Open requests
help-open-empty = There are no open requests.
help-finished-heading = Resolved requests
help-finished-empty = No request has been resolved yet.
help-asked-by = Asked by { $name }
help-yours = Your request
help-tags-label = Skills
help-offers-none = Nobody has offered to help yet.
help-offered-by = Offered to help: { $names }
help-offer = Offer help
help-offered = You offered to help.
help-close = Close request
help-delete = Delete request
help-conversation = { $count ->
    [0] Conversation (no posts yet)
    [one] Conversation ({ $count } post)
   *[other] Conversation ({ $count } posts)
}
help-asker-badge = Asked
help-reply-label = Your reply
help-reply-submit = Send reply
help-conversation-closed = The conversation is closed because the request is no longer open.
help-resolve-legend = Mark as resolved
help-resolve-helper = Who helped you?
help-resolve-nobody = Nobody, I solved it myself
help-resolve-thanks = Thank-you note to the helper (optional)
help-resolve-submit = Mark as resolved
help-status-resolved = Resolved
help-status-resolved-by = Resolved with help from { $name }
help-status-closed = Closed by a teacher
help-thanks-from = { $name } says thank you:
help-thank-field = Thank-you note to { $name }
help-thank-submit = Send thanks

## Help desk page script

js-help-sending = Sending…
js-help-failed = That did not work:
js-help-saved = Saved. Updating the page…
js-help-confirm-close = Close this request? It moves to the resolved list and takes no more offers or replies.
js-help-confirm-delete = Delete this request and its conversation? This cannot be undone.
