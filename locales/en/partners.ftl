# partners: en strings.

## Partners board page

partners-page-title = Partners
partners-back = Back to the coworking space
partners-intro = Organisations, projects, internships and mentors that the teachers of this course recommend. Tell the teachers you are interested, and they will put you in touch.
partners-intro-teacher = List organisations, projects, internships and mentors for your students. Students can express interest; only teachers see who is interested and their notes.
partners-unnamed = Unnamed participant
partners-kind-organisation = Organisation
partners-kind-project = Project
partners-kind-internship = Internship
partners-kind-mentor = Mentor
partners-new-heading = Add an entry
partners-field-kind = Kind
partners-field-name = Name
partners-field-description = Description
partners-description-hint = You can use Markdown: **bold**, *italic*, lists and links.
partners-field-contact-name = Contact person (optional)
partners-field-contact-email = Contact e-mail (optional)
partners-field-contact-url = Website (optional, http:// or https://)
partners-field-deadline = Deadline (optional)
partners-deadline-hint = Students can express interest until the end of this day (UTC). After it the entry is shown as closed.
partners-create-submit = Add entry
partners-open-heading = Open opportunities
partners-open-empty = There are no open opportunities at the moment.
partners-closed-heading = Closed opportunities
partners-archived-heading = Archived entries
partners-closed-badge = Closed
partners-archived-badge = Archived
partners-deadline = Express interest by { $date }
partners-deadline-passed = Closed: the deadline was { $date }
partners-contact-person = Contact person
partners-contact-email = E-mail
partners-contact-website = Website
partners-interest-count = { $count ->
    [0] Nobody has expressed interest yet
    [one] { $count } student is interested
   *[other] { $count } students are interested
}
partners-interest-yours = You expressed interest.
partners-your-note = Your note: { $note }
partners-interest-note = Note for the teachers (optional)
partners-interest-submit = I am interested
partners-interest-update = Update my note
partners-interest-withdraw = Withdraw my interest
partners-interested-heading = Interested students
partners-interested-none = Nobody yet.
partners-archive = Archive
partners-restore = Restore
partners-edit = Edit entry
partners-save = Save changes

## Partners board page script

js-partners-sending = Sending…
js-partners-failed = That did not work:
js-partners-saved = Saved. Updating the page…
js-partners-confirm-archive = Archive this entry? Students will no longer see it.
js-partners-confirm-withdraw = Withdraw your interest in this entry?
