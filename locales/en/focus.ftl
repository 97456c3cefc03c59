# Focus sessions in the quiet zone, English.

focus-title = Focus sessions
focus-back-to-space = Back to the space
focus-intro = Work on one goal for a set time in the quiet zone, next to others doing the same. At the end, check in on how it went.
focus-mine-heading = Your session
focus-read-only = You can see who is focusing but not start a session, because the course platform did not identify you.
focus-goal = Your goal for this session
focus-goal-hint = One short sentence, for example "Draft the introduction of my report".
focus-length = Length
focus-duration = { $count ->
    [one] { $count } minute
   *[other] { $count } minutes
}
focus-start = Start focusing
focus-started = started
focus-ends = ends
focus-minutes-left = { $count ->
    [0] time is up
    [one] { $count } minute left
   *[other] { $count } minutes left
}
focus-abandon = Stop early
focus-check-in-question = The time is up. Did you reach your goal?
focus-outcome-met = Goal met
focus-outcome-partly = Partly met
focus-outcome-not_met = Not met
focus-outcome-abandoned = Stopped early
focus-note = Note (optional)
focus-check-in = Check in
focus-running-heading = Focusing now
focus-running-empty = Nobody is focusing right now.
focus-you = (you)
focus-unnamed = Unnamed participant
focus-history-heading = Your recent sessions

js-focus-failed = The request failed. Reload the page and try again.
js-focus-offline = cowork cannot be reached. Check your connection and try again.
js-focus-confirm-abandon = Stop this focus session before its end?
js-focus-you = (you)
js-focus-ends = ends
