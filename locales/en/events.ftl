# Events page, English.

events-title = Events
events-nav = Event pages
events-back = Back to the space
events-export = Export to calendar (.ics)
events-none = No events are planned.
events-cancelled = Cancelled
events-planned-in = planned in
events-location = Where
events-rsvp = Will you come?
events-yes = Yes
events-maybe = Maybe
events-no = No
events-cancel = Cancel this event
events-new = Plan an event
events-field-title = Title
events-field-kind = Kind
events-field-date = Date
events-field-time = Start time
events-field-duration = Duration (minutes)
events-field-zone = Time zone
events-field-location = Place or link
events-field-agenda = Agenda
events-create = Plan event
events-kind-lecture = Panoramic lecture
events-kind-discussion = Virtual discussion
events-kind-partner_hour = Meet-the-partner hour
events-kind-other = Session
events-going = { $count ->
    [one] { $count } person is coming
   *[other] { $count } people are coming
}
events-maybe-count = { $count } maybe
js-events-saved = Your reply is saved.
js-events-failed = The request failed. Try again.
js-events-confirm-cancel = Cancel this event for everyone?
