# Privacy page of a space, English.

privacy-link = Privacy
privacy-title = Personal data
privacy-nav = Personal data
privacy-back = Back to room management
privacy-intro = Export everything cowork stores about a person in this space, or erase it at the person's request. Erasure replaces the person by an anonymous placeholder, so the space's totals and the measures of other people stay the same.
privacy-retention-space = This space clears message texts, uploads and free-text answers after { $days } days.
privacy-retention-default = This space clears message texts, uploads and free-text answers after { $days } days, the server's default.
privacy-retention-none = This space keeps content until it is erased; set a retention period in the space settings.
privacy-people = People of this space
privacy-empty = Nobody has entered this space yet.
privacy-name = Name
privacy-role = Role
privacy-actions = Actions
privacy-export = Export (JSON)
privacy-erase = Erase
privacy-erase-help = Teachers and admins can be erased only by the server administrator, with the command cowork privacy erase.
# The page script puts the person's name where {name} stands. The braces are written as
# string literals, because a bare {name} would name a message that does not exist.
js-privacy-confirm = Erase the data of {"{"}name{"}"} in this space? This cannot be undone.
js-privacy-failed = The erasure failed. Try again.
js-privacy-erased = The person's data in this space is erased.
